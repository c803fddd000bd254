-------------------------------- MODULE LCRQ --------------------------------
(***************************************************************************)
(* libconcoll's LCRQ (Morrison and Afek, PPoPP 2013) as implemented in     *)
(* src/queue/lcrq.c (crq_push, crq_pop, crq_fix_state, lcrq_ring_new_with) *)
(* on the linked-ring skeleton src/queue/lring.h (cc_lrings_push,          *)
(* cc_lrings_pop).                                                         *)
(*                                                                         *)
(* Granularity: every FAA (head, tail), fetch-or (tail's CRQ_CLOSED bit),  *)
(* load of a shared word (a counter, r->next, l->head, l->tail, one HALF   *)
(* of a cell: cell_load() reads idx then item as two separate loads) and   *)
(* every CAS (16-byte cell_cas, tail in crq_fix_state, the ring pointers)  *)
(* is one step.  A ring built by lcrq_ring_new_with() is private until the *)
(* CAS that links it, so it is built in that step.  Rings are never        *)
(* reclaimed or reused (SMR is out of scope), so a ring id is its position *)
(* in the list: ring q + 1 is always linked after ring q.  The model is    *)
(* sequentially consistent (the C code uses seq_cst on the CRQ words and   *)
(* acquire/release on the ring pointers).                                  *)
(*                                                                         *)
(* A cell is { item, idx = round | CRQ_UNSAFE }: item 0 is empty (values   *)
(* are > 0); tail = RTail (low bits) and RClosed (bit 63).                 *)
(*                                                                         *)
(* Each thread runs the fixed program Prog[i]: v > 0 enqueues v (values    *)
(* are distinct), 0 dequeues.  CRQ_STARVING is the constant STARVING,      *)
(* small so that an enqueuer overtaken by dequeuers closes the ring.       *)
(* MaxRings bounds the linked rings; linking beyond it is an assertion     *)
(* failure, so the bound never silently cuts a behaviour off.              *)
(*                                                                         *)
(* Linearizability: ghosts record, for every operation, which operations   *)
(* had completed when it was invoked (inv) and what a dequeue returned     *)
(* (res).  The invocation is the operation's first shared step and the     *)
(* response its last one (this gives the strongest real-time order).  When *)
(* every thread has finished, the history must have a linearization to a   *)
(* sequential FIFO queue that ends with the queue's contents (Contents:    *)
(* the items of round i in the cells of rounds head..tail-1 of every ring  *)
(* from l->head on).  This covers values lost, duplicated or reordered and *)
(* unjustified EMPTY results; NoDuplicate, NoLoss and EmptyJustified state *)
(* those three separately.  Processes are weakly fair; the translator's    *)
(* Termination (every thread finishes its program) holds but is not in     *)
(* MC_LCRQ.cfg, its liveness check costs four times the safety check.      *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, TLC

CONSTANTS
    Prog,      \* Prog[i]: thread i's operations: v > 0 enqueues v, 0 dequeues
    R,         \* cells per ring (1 << ring_order)
    STARVING,  \* CRQ_STARVING
    MaxRings   \* rings the model may link

Threads == 1..Len(Prog)
Ops     == UNION {{<<i, k>> : k \in 1..Len(Prog[i])} : i \in Threads}
OpOf(o) == Prog[o[1]][o[2]]
EnqOps  == {o \in Ops : OpOf(o) > 0}
DeqOps  == Ops \ EnqOps
Values  == {OpOf(o) : o \in EnqOps}
Rings   == 1..MaxRings

NULL  == 0      \* no ring
EMPTY == 0      \* a dequeue's -EAGAIN
OK    == -1     \* an enqueue's 0
NONE  == -2     \* ghost: no result yet

\* Programs for MC_LCRQ.cfg (a TLC config cannot write tuples): Prog <- ProgN
Prog1 == << <<1, 0>>, <<0>>, <<2>> >>
Prog2 == << <<1, 0>>, <<2, 0>>, <<3>> >>
Prog3 == << <<1>>, <<2>>, <<0, 0>> >>
Prog4 == << <<1>>, <<2>>, <<3>> >>

ASSUME R \in Nat \ {0} /\ STARVING \in Nat \ {0} /\ MaxRings \in Nat \ {0}
ASSUME \A i \in Threads : \A k \in 1..Len(Prog[i]) : Prog[i][k] \in Nat
ASSUME Cardinality(EnqOps) = Cardinality(Values)   \* distinct values

(***************************************************************************
--algorithm LCRQ {
variables
    LHead = 1,                          \* cc_lrings.head
    LTail = 1,                          \* cc_lrings.tail
    RNext = [q \in Rings |-> NULL],     \* cc_lring.next
    RHead = [q \in Rings |-> 0],        \* crq.head
    RTail = [q \in Rings |-> 0],        \* crq.tail & ~CRQ_CLOSED
    RClosed = [q \in Rings |-> FALSE],  \* crq.tail & CRQ_CLOSED
    Cell = [q \in Rings |-> [c \in 0..R-1 |->
               [item |-> 0, round |-> c, unsafe |-> FALSE]]],   \* crq_new()
    \* ghosts
    ndone = [i \in Threads |-> 0],               \* operations i has completed
    inv = [o \in Ops |-> [i \in Threads |-> 0]], \* ndone when o was invoked
    res = [o \in Ops |-> NONE];                  \* what o returned

define {
    CurOp(i) == Prog[i][ndone[i] + 1]   \* the value enqueued (or 0)
}

\* response of the current operation; locals are cleared (smaller state)
macro Finish(x) {
    res[<<self, ndone[self] + 1>>] := x;
    ndone[self] := ndone[self] + 1;
    r := NULL; nxt := NULL; t := 0; h := 0; v := 0; rd := 0; us := FALSE;
    tries := 0; pass := FALSE; ft := 0; fc := FALSE; fh := 0;
}

fair process (th \in Threads)
variables
    r = NULL,      \* the ring
    nxt = NULL,    \* r->next as loaded
    t = 0,         \* crq_push(): the tail index drawn
    h = 0,         \* crq_pop(): the head index drawn
    v = 0,         \* crq_pop(): the cell's item as loaded
    rd = 0,        \* the cell's round as loaded
    us = FALSE,    \* the cell's CRQ_UNSAFE bit as loaded
    tries = 0,     \* crq_push(): failed rounds
    pass = FALSE,  \* cc_lrings_pop(): in the pass after next was seen
    ft = 0, fc = FALSE, fh = 0;   \* crq_fix_state(): tail, its closed bit, head
{
start:
    \* concoll_queue_push()/pop() invoked: cc_lrings_push(): r = load(l->tail),
    \* or cc_lrings_pop(): r = load(l->head)
    if (ndone[self] < Len(Prog[self])) {
        inv[<<self, ndone[self] + 1>>] := ndone;
        if (CurOp(self) > 0) { r := LTail; goto pNext }
        else { r := LHead; goto dFaa }
    } else goto Done;

    \* ---------------- enqueue: cc_lrings_push() + crq_push() ----------------
pTail:
    \* cc_lrings_push(): r = load(l->tail)
    r := LTail;
pNext:
    \* cc_lrings_push(): next = load(r->next)
    if (RNext[r] # NULL) { nxt := RNext[r]; goto pHelp } else goto cpFaa;
pHelp:
    \* cc_lrings_push(): tail lags: CAS(l->tail, r, next), then reload
    if (LTail = r) { LTail := nxt };
    nxt := NULL;
    goto pTail;
cpFaa:
    \* crq_push(): t = FAA(r->tail, 1); closed bit set: CRQ_IS_CLOSED
    t := RTail[r];
    RTail[r] := RTail[r] + 1;
    if (RClosed[r]) goto pLink;
cpHi:
    \* crq_push(): cell_load(): idx = load(hi)
    rd := Cell[r][t % R].round;
    us := Cell[r][t % R].unsafe;
cpLo:
    \* crq_push(): cell_load(): item = load(lo); v == 0 && round <= t ?
    if (Cell[r][t % R].item = 0 /\ rd <= t) {
        if (us) goto cpSafe else goto cpCas
    } else goto cpHead;
cpSafe:
    \* crq_push(): unsafe cell: load(r->head) <= t ?
    if (RHead[r] <= t) goto cpCas else goto cpHead;
cpCas:
    \* crq_push(): cell_cas(c, 0, idx, item, t): CRQ_OK
    if (Cell[r][t % R] = [item |-> 0, round |-> rd, unsafe |-> us]) {
        Cell[r][t % R] := [item |-> CurOp(self), round |-> t, unsafe |-> FALSE];
        Finish(OK);
        goto start;
    } else goto cpHead;
cpHead:
    \* crq_push(): full (t - load(r->head) >= size) or ++tries >= CRQ_STARVING ?
    if (t - RHead[r] >= R \/ tries + 1 >= STARVING) goto cpClose
    else { tries := tries + 1; rd := 0; us := FALSE; goto cpFaa };
cpClose:
    \* crq_push(): fetch_or(r->tail, CRQ_CLOSED); CRQ_IS_CLOSED
    RClosed[r] := TRUE;
pLink:
    \* cc_lrings_push(): fresh = lcrq_ring_new_with(item) (cell 0 = item, tail = 1,
    \* private); CAS(r->next, NULL, fresh); on failure free it and reload
    if (RNext[r] = NULL) {
        assert r + 1 \in Rings;   \* the model's bound on rings
        RNext[r] := r + 1;
        RTail[r + 1] := 1;
        Cell[r + 1][0].item := CurOp(self);
        t := 0; tries := 0; rd := 0; us := FALSE;
        goto pTailCas
    } else {
        t := 0; tries := 0; rd := 0; us := FALSE;
        goto pTail
    };
pTailCas:
    \* cc_lrings_push(): CAS(l->tail, r, fresh)
    if (LTail = r) { LTail := r + 1 };
    Finish(OK);
    goto start;

    \* ---------------- dequeue: cc_lrings_pop() + crq_pop() ----------------
dHead:
    \* cc_lrings_pop(): r = load(l->head)
    r := LHead;
dFaa:
    \* crq_pop(): h = FAA(r->head, 1)
    h := RHead[r];
    RHead[r] := RHead[r] + 1;
dHi:
    \* crq_pop(): cell_load(): idx = load(hi); round > h: break
    rd := Cell[r][h % R].round;
    us := Cell[r][h % R].unsafe;
    if (Cell[r][h % R].round > h) goto dTail;
dLo:
    \* crq_pop(): cell_load(): item = load(lo)
    v := Cell[r][h % R].item;
dCas:
    \* crq_pop(): cell_cas(c, v, idx, ...): failed: reload the cell
    if (Cell[r][h % R] # [item |-> v, round |-> rd, unsafe |-> us]) {
        goto dHi
    } else if (v # 0 /\ rd = h) {
        \* round h's item: take it, the cell moves to round h + size: CRQ_OK
        Cell[r][h % R] := [item |-> 0, round |-> h + R, unsafe |-> us];
        Finish(v);
        goto start
    } else if (v # 0) {
        \* an older round's item: mark the cell unsafe, break
        Cell[r][h % R].unsafe := TRUE;
        goto dTail
    } else {
        \* empty: move the cell to round h + size (a late enqueuer fails), break
        Cell[r][h % R].round := h + R;
        goto dTail
    };
dTail:
    \* crq_pop(): t = load(r->tail) & ~CRQ_CLOSED; t <= h + 1: crq_fix_state(), CRQ_EMPTY
    if (RTail[r] <= h + 1) goto fT1
    else { rd := 0; us := FALSE; v := 0; goto dFaa };
fT1:
    \* crq_fix_state(): t = load(r->tail)
    ft := RTail[r];
    fc := RClosed[r];
fH:
    \* crq_fix_state(): h = load(r->head)
    fh := RHead[r];
fT2:
    \* crq_fix_state(): load(r->tail) != t: retry; h <= t (always when closed): return
    if (RTail[r] # ft \/ RClosed[r] # fc) goto fT1
    else if (fc \/ fh <= ft) {
        h := 0; v := 0; rd := 0; us := FALSE; ft := 0; fc := FALSE; fh := 0;
        if (pass) goto dMvTail else goto dNext
    } else goto fCas;
fCas:
    \* crq_fix_state(): CAS(r->tail, t, h)
    if (RTail[r] = ft /\ RClosed[r] = fc) {
        RTail[r] := fh;
        h := 0; v := 0; rd := 0; us := FALSE; ft := 0; fc := FALSE; fh := 0;
        if (pass) goto dMvTail else goto dNext
    } else goto fT1;
dNext:
    \* cc_lrings_pop(): crq_pop() was EMPTY: next = load(r->next); NULL: -EAGAIN
    if (RNext[r] = NULL) {
        Finish(EMPTY);
        goto start
    } else { nxt := RNext[r]; pass := TRUE; goto dPass };
dPass:
    \* cc_lrings_pop(): one more pass (last_pass is NULL for LCRQ):
    \* crq_pop() again: h = FAA(r->head, 1)
    h := RHead[r];
    RHead[r] := RHead[r] + 1;
    goto dHi;
dMvTail:
    \* cc_lrings_pop(): both passes EMPTY: CAS(l->tail, r, next)
    if (LTail = r) { LTail := nxt };
dMvHead:
    \* cc_lrings_pop(): CAS(l->head, r, next) (the winner retires r: not
    \* modelled), then reload l->head
    if (LHead = r) { LHead := nxt };
    nxt := NULL; pass := FALSE;
    goto dHead;
}
}
 ***************************************************************************)
\* BEGIN TRANSLATION
VARIABLES LHead, LTail, RNext, RHead, RTail, RClosed, Cell, ndone, inv, res, 
          pc

(* define statement *)
CurOp(i) == Prog[i][ndone[i] + 1]

VARIABLES r, nxt, t, h, v, rd, us, tries, pass, ft, fc, fh

vars == << LHead, LTail, RNext, RHead, RTail, RClosed, Cell, ndone, inv, res, 
           pc, r, nxt, t, h, v, rd, us, tries, pass, ft, fc, fh >>

ProcSet == (Threads)

Init == (* Global variables *)
        /\ LHead = 1
        /\ LTail = 1
        /\ RNext = [q \in Rings |-> NULL]
        /\ RHead = [q \in Rings |-> 0]
        /\ RTail = [q \in Rings |-> 0]
        /\ RClosed = [q \in Rings |-> FALSE]
        /\ Cell = [q \in Rings |-> [c \in 0..R-1 |->
                      [item |-> 0, round |-> c, unsafe |-> FALSE]]]
        /\ ndone = [i \in Threads |-> 0]
        /\ inv = [o \in Ops |-> [i \in Threads |-> 0]]
        /\ res = [o \in Ops |-> NONE]
        (* Process th *)
        /\ r = [self \in Threads |-> NULL]
        /\ nxt = [self \in Threads |-> NULL]
        /\ t = [self \in Threads |-> 0]
        /\ h = [self \in Threads |-> 0]
        /\ v = [self \in Threads |-> 0]
        /\ rd = [self \in Threads |-> 0]
        /\ us = [self \in Threads |-> FALSE]
        /\ tries = [self \in Threads |-> 0]
        /\ pass = [self \in Threads |-> FALSE]
        /\ ft = [self \in Threads |-> 0]
        /\ fc = [self \in Threads |-> FALSE]
        /\ fh = [self \in Threads |-> 0]
        /\ pc = [self \in ProcSet |-> "start"]

start(self) == /\ pc[self] = "start"
               /\ IF ndone[self] < Len(Prog[self])
                     THEN /\ inv' = [inv EXCEPT ![<<self, ndone[self] + 1>>] = ndone]
                          /\ IF CurOp(self) > 0
                                THEN /\ r' = [r EXCEPT ![self] = LTail]
                                     /\ pc' = [pc EXCEPT ![self] = "pNext"]
                                ELSE /\ r' = [r EXCEPT ![self] = LHead]
                                     /\ pc' = [pc EXCEPT ![self] = "dFaa"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
                          /\ UNCHANGED << inv, r >>
               /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, 
                               Cell, ndone, res, nxt, t, h, v, rd, us, tries, 
                               pass, ft, fc, fh >>

pTail(self) == /\ pc[self] = "pTail"
               /\ r' = [r EXCEPT ![self] = LTail]
               /\ pc' = [pc EXCEPT ![self] = "pNext"]
               /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, 
                               Cell, ndone, inv, res, nxt, t, h, v, rd, us, 
                               tries, pass, ft, fc, fh >>

pNext(self) == /\ pc[self] = "pNext"
               /\ IF RNext[r[self]] # NULL
                     THEN /\ nxt' = [nxt EXCEPT ![self] = RNext[r[self]]]
                          /\ pc' = [pc EXCEPT ![self] = "pHelp"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "cpFaa"]
                          /\ nxt' = nxt
               /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, 
                               Cell, ndone, inv, res, r, t, h, v, rd, us, 
                               tries, pass, ft, fc, fh >>

pHelp(self) == /\ pc[self] = "pHelp"
               /\ IF LTail = r[self]
                     THEN /\ LTail' = nxt[self]
                     ELSE /\ TRUE
                          /\ LTail' = LTail
               /\ nxt' = [nxt EXCEPT ![self] = NULL]
               /\ pc' = [pc EXCEPT ![self] = "pTail"]
               /\ UNCHANGED << LHead, RNext, RHead, RTail, RClosed, Cell, 
                               ndone, inv, res, r, t, h, v, rd, us, tries, 
                               pass, ft, fc, fh >>

cpFaa(self) == /\ pc[self] = "cpFaa"
               /\ t' = [t EXCEPT ![self] = RTail[r[self]]]
               /\ RTail' = [RTail EXCEPT ![r[self]] = RTail[r[self]] + 1]
               /\ IF RClosed[r[self]]
                     THEN /\ pc' = [pc EXCEPT ![self] = "pLink"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "cpHi"]
               /\ UNCHANGED << LHead, LTail, RNext, RHead, RClosed, Cell, 
                               ndone, inv, res, r, nxt, h, v, rd, us, tries, 
                               pass, ft, fc, fh >>

cpHi(self) == /\ pc[self] = "cpHi"
              /\ rd' = [rd EXCEPT ![self] = Cell[r[self]][t[self] % R].round]
              /\ us' = [us EXCEPT ![self] = Cell[r[self]][t[self] % R].unsafe]
              /\ pc' = [pc EXCEPT ![self] = "cpLo"]
              /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, Cell, 
                              ndone, inv, res, r, nxt, t, h, v, tries, pass, 
                              ft, fc, fh >>

cpLo(self) == /\ pc[self] = "cpLo"
              /\ IF Cell[r[self]][t[self] % R].item = 0 /\ rd[self] <= t[self]
                    THEN /\ IF us[self]
                               THEN /\ pc' = [pc EXCEPT ![self] = "cpSafe"]
                               ELSE /\ pc' = [pc EXCEPT ![self] = "cpCas"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "cpHead"]
              /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, Cell, 
                              ndone, inv, res, r, nxt, t, h, v, rd, us, tries, 
                              pass, ft, fc, fh >>

cpSafe(self) == /\ pc[self] = "cpSafe"
                /\ IF RHead[r[self]] <= t[self]
                      THEN /\ pc' = [pc EXCEPT ![self] = "cpCas"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "cpHead"]
                /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, 
                                Cell, ndone, inv, res, r, nxt, t, h, v, rd, us, 
                                tries, pass, ft, fc, fh >>

cpCas(self) == /\ pc[self] = "cpCas"
               /\ IF Cell[r[self]][t[self] % R] = [item |-> 0, round |-> rd[self], unsafe |-> us[self]]
                     THEN /\ Cell' = [Cell EXCEPT ![r[self]][t[self] % R] = [item |-> CurOp(self), round |-> t[self], unsafe |-> FALSE]]
                          /\ res' = [res EXCEPT ![<<self, ndone[self] + 1>>] = OK]
                          /\ ndone' = [ndone EXCEPT ![self] = ndone[self] + 1]
                          /\ r' = [r EXCEPT ![self] = NULL]
                          /\ nxt' = [nxt EXCEPT ![self] = NULL]
                          /\ t' = [t EXCEPT ![self] = 0]
                          /\ h' = [h EXCEPT ![self] = 0]
                          /\ v' = [v EXCEPT ![self] = 0]
                          /\ rd' = [rd EXCEPT ![self] = 0]
                          /\ us' = [us EXCEPT ![self] = FALSE]
                          /\ tries' = [tries EXCEPT ![self] = 0]
                          /\ pass' = [pass EXCEPT ![self] = FALSE]
                          /\ ft' = [ft EXCEPT ![self] = 0]
                          /\ fc' = [fc EXCEPT ![self] = FALSE]
                          /\ fh' = [fh EXCEPT ![self] = 0]
                          /\ pc' = [pc EXCEPT ![self] = "start"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "cpHead"]
                          /\ UNCHANGED << Cell, ndone, res, r, nxt, t, h, v, 
                                          rd, us, tries, pass, ft, fc, fh >>
               /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, inv >>

cpHead(self) == /\ pc[self] = "cpHead"
                /\ IF t[self] - RHead[r[self]] >= R \/ tries[self] + 1 >= STARVING
                      THEN /\ pc' = [pc EXCEPT ![self] = "cpClose"]
                           /\ UNCHANGED << rd, us, tries >>
                      ELSE /\ tries' = [tries EXCEPT ![self] = tries[self] + 1]
                           /\ rd' = [rd EXCEPT ![self] = 0]
                           /\ us' = [us EXCEPT ![self] = FALSE]
                           /\ pc' = [pc EXCEPT ![self] = "cpFaa"]
                /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, 
                                Cell, ndone, inv, res, r, nxt, t, h, v, pass, 
                                ft, fc, fh >>

cpClose(self) == /\ pc[self] = "cpClose"
                 /\ RClosed' = [RClosed EXCEPT ![r[self]] = TRUE]
                 /\ pc' = [pc EXCEPT ![self] = "pLink"]
                 /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, Cell, 
                                 ndone, inv, res, r, nxt, t, h, v, rd, us, 
                                 tries, pass, ft, fc, fh >>

pLink(self) == /\ pc[self] = "pLink"
               /\ IF RNext[r[self]] = NULL
                     THEN /\ Assert(r[self] + 1 \in Rings, 
                                    "Failure of assertion at line 169, column 9.")
                          /\ RNext' = [RNext EXCEPT ![r[self]] = r[self] + 1]
                          /\ RTail' = [RTail EXCEPT ![r[self] + 1] = 1]
                          /\ Cell' = [Cell EXCEPT ![r[self] + 1][0].item = CurOp(self)]
                          /\ t' = [t EXCEPT ![self] = 0]
                          /\ tries' = [tries EXCEPT ![self] = 0]
                          /\ rd' = [rd EXCEPT ![self] = 0]
                          /\ us' = [us EXCEPT ![self] = FALSE]
                          /\ pc' = [pc EXCEPT ![self] = "pTailCas"]
                     ELSE /\ t' = [t EXCEPT ![self] = 0]
                          /\ tries' = [tries EXCEPT ![self] = 0]
                          /\ rd' = [rd EXCEPT ![self] = 0]
                          /\ us' = [us EXCEPT ![self] = FALSE]
                          /\ pc' = [pc EXCEPT ![self] = "pTail"]
                          /\ UNCHANGED << RNext, RTail, Cell >>
               /\ UNCHANGED << LHead, LTail, RHead, RClosed, ndone, inv, res, 
                               r, nxt, h, v, pass, ft, fc, fh >>

pTailCas(self) == /\ pc[self] = "pTailCas"
                  /\ IF LTail = r[self]
                        THEN /\ LTail' = r[self] + 1
                        ELSE /\ TRUE
                             /\ LTail' = LTail
                  /\ res' = [res EXCEPT ![<<self, ndone[self] + 1>>] = OK]
                  /\ ndone' = [ndone EXCEPT ![self] = ndone[self] + 1]
                  /\ r' = [r EXCEPT ![self] = NULL]
                  /\ nxt' = [nxt EXCEPT ![self] = NULL]
                  /\ t' = [t EXCEPT ![self] = 0]
                  /\ h' = [h EXCEPT ![self] = 0]
                  /\ v' = [v EXCEPT ![self] = 0]
                  /\ rd' = [rd EXCEPT ![self] = 0]
                  /\ us' = [us EXCEPT ![self] = FALSE]
                  /\ tries' = [tries EXCEPT ![self] = 0]
                  /\ pass' = [pass EXCEPT ![self] = FALSE]
                  /\ ft' = [ft EXCEPT ![self] = 0]
                  /\ fc' = [fc EXCEPT ![self] = FALSE]
                  /\ fh' = [fh EXCEPT ![self] = 0]
                  /\ pc' = [pc EXCEPT ![self] = "start"]
                  /\ UNCHANGED << LHead, RNext, RHead, RTail, RClosed, Cell, 
                                  inv >>

dHead(self) == /\ pc[self] = "dHead"
               /\ r' = [r EXCEPT ![self] = LHead]
               /\ pc' = [pc EXCEPT ![self] = "dFaa"]
               /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, 
                               Cell, ndone, inv, res, nxt, t, h, v, rd, us, 
                               tries, pass, ft, fc, fh >>

dFaa(self) == /\ pc[self] = "dFaa"
              /\ h' = [h EXCEPT ![self] = RHead[r[self]]]
              /\ RHead' = [RHead EXCEPT ![r[self]] = RHead[r[self]] + 1]
              /\ pc' = [pc EXCEPT ![self] = "dHi"]
              /\ UNCHANGED << LHead, LTail, RNext, RTail, RClosed, Cell, ndone, 
                              inv, res, r, nxt, t, v, rd, us, tries, pass, ft, 
                              fc, fh >>

dHi(self) == /\ pc[self] = "dHi"
             /\ rd' = [rd EXCEPT ![self] = Cell[r[self]][h[self] % R].round]
             /\ us' = [us EXCEPT ![self] = Cell[r[self]][h[self] % R].unsafe]
             /\ IF Cell[r[self]][h[self] % R].round > h[self]
                   THEN /\ pc' = [pc EXCEPT ![self] = "dTail"]
                   ELSE /\ pc' = [pc EXCEPT ![self] = "dLo"]
             /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, Cell, 
                             ndone, inv, res, r, nxt, t, h, v, tries, pass, ft, 
                             fc, fh >>

dLo(self) == /\ pc[self] = "dLo"
             /\ v' = [v EXCEPT ![self] = Cell[r[self]][h[self] % R].item]
             /\ pc' = [pc EXCEPT ![self] = "dCas"]
             /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, Cell, 
                             ndone, inv, res, r, nxt, t, h, rd, us, tries, 
                             pass, ft, fc, fh >>

dCas(self) == /\ pc[self] = "dCas"
              /\ IF Cell[r[self]][h[self] % R] # [item |-> v[self], round |-> rd[self], unsafe |-> us[self]]
                    THEN /\ pc' = [pc EXCEPT ![self] = "dHi"]
                         /\ UNCHANGED << Cell, ndone, res, r, nxt, t, h, v, rd, 
                                         us, tries, pass, ft, fc, fh >>
                    ELSE /\ IF v[self] # 0 /\ rd[self] = h[self]
                               THEN /\ Cell' = [Cell EXCEPT ![r[self]][h[self] % R] = [item |-> 0, round |-> h[self] + R, unsafe |-> us[self]]]
                                    /\ res' = [res EXCEPT ![<<self, ndone[self] + 1>>] = v[self]]
                                    /\ ndone' = [ndone EXCEPT ![self] = ndone[self] + 1]
                                    /\ r' = [r EXCEPT ![self] = NULL]
                                    /\ nxt' = [nxt EXCEPT ![self] = NULL]
                                    /\ t' = [t EXCEPT ![self] = 0]
                                    /\ h' = [h EXCEPT ![self] = 0]
                                    /\ v' = [v EXCEPT ![self] = 0]
                                    /\ rd' = [rd EXCEPT ![self] = 0]
                                    /\ us' = [us EXCEPT ![self] = FALSE]
                                    /\ tries' = [tries EXCEPT ![self] = 0]
                                    /\ pass' = [pass EXCEPT ![self] = FALSE]
                                    /\ ft' = [ft EXCEPT ![self] = 0]
                                    /\ fc' = [fc EXCEPT ![self] = FALSE]
                                    /\ fh' = [fh EXCEPT ![self] = 0]
                                    /\ pc' = [pc EXCEPT ![self] = "start"]
                               ELSE /\ IF v[self] # 0
                                          THEN /\ Cell' = [Cell EXCEPT ![r[self]][h[self] % R].unsafe = TRUE]
                                               /\ pc' = [pc EXCEPT ![self] = "dTail"]
                                          ELSE /\ Cell' = [Cell EXCEPT ![r[self]][h[self] % R].round = h[self] + R]
                                               /\ pc' = [pc EXCEPT ![self] = "dTail"]
                                    /\ UNCHANGED << ndone, res, r, nxt, t, h, 
                                                    v, rd, us, tries, pass, ft, 
                                                    fc, fh >>
              /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, inv >>

dTail(self) == /\ pc[self] = "dTail"
               /\ IF RTail[r[self]] <= h[self] + 1
                     THEN /\ pc' = [pc EXCEPT ![self] = "fT1"]
                          /\ UNCHANGED << v, rd, us >>
                     ELSE /\ rd' = [rd EXCEPT ![self] = 0]
                          /\ us' = [us EXCEPT ![self] = FALSE]
                          /\ v' = [v EXCEPT ![self] = 0]
                          /\ pc' = [pc EXCEPT ![self] = "dFaa"]
               /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, 
                               Cell, ndone, inv, res, r, nxt, t, h, tries, 
                               pass, ft, fc, fh >>

fT1(self) == /\ pc[self] = "fT1"
             /\ ft' = [ft EXCEPT ![self] = RTail[r[self]]]
             /\ fc' = [fc EXCEPT ![self] = RClosed[r[self]]]
             /\ pc' = [pc EXCEPT ![self] = "fH"]
             /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, Cell, 
                             ndone, inv, res, r, nxt, t, h, v, rd, us, tries, 
                             pass, fh >>

fH(self) == /\ pc[self] = "fH"
            /\ fh' = [fh EXCEPT ![self] = RHead[r[self]]]
            /\ pc' = [pc EXCEPT ![self] = "fT2"]
            /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, Cell, 
                            ndone, inv, res, r, nxt, t, h, v, rd, us, tries, 
                            pass, ft, fc >>

fT2(self) == /\ pc[self] = "fT2"
             /\ IF RTail[r[self]] # ft[self] \/ RClosed[r[self]] # fc[self]
                   THEN /\ pc' = [pc EXCEPT ![self] = "fT1"]
                        /\ UNCHANGED << h, v, rd, us, ft, fc, fh >>
                   ELSE /\ IF fc[self] \/ fh[self] <= ft[self]
                              THEN /\ h' = [h EXCEPT ![self] = 0]
                                   /\ v' = [v EXCEPT ![self] = 0]
                                   /\ rd' = [rd EXCEPT ![self] = 0]
                                   /\ us' = [us EXCEPT ![self] = FALSE]
                                   /\ ft' = [ft EXCEPT ![self] = 0]
                                   /\ fc' = [fc EXCEPT ![self] = FALSE]
                                   /\ fh' = [fh EXCEPT ![self] = 0]
                                   /\ IF pass[self]
                                         THEN /\ pc' = [pc EXCEPT ![self] = "dMvTail"]
                                         ELSE /\ pc' = [pc EXCEPT ![self] = "dNext"]
                              ELSE /\ pc' = [pc EXCEPT ![self] = "fCas"]
                                   /\ UNCHANGED << h, v, rd, us, ft, fc, fh >>
             /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, Cell, 
                             ndone, inv, res, r, nxt, t, tries, pass >>

fCas(self) == /\ pc[self] = "fCas"
              /\ IF RTail[r[self]] = ft[self] /\ RClosed[r[self]] = fc[self]
                    THEN /\ RTail' = [RTail EXCEPT ![r[self]] = fh[self]]
                         /\ h' = [h EXCEPT ![self] = 0]
                         /\ v' = [v EXCEPT ![self] = 0]
                         /\ rd' = [rd EXCEPT ![self] = 0]
                         /\ us' = [us EXCEPT ![self] = FALSE]
                         /\ ft' = [ft EXCEPT ![self] = 0]
                         /\ fc' = [fc EXCEPT ![self] = FALSE]
                         /\ fh' = [fh EXCEPT ![self] = 0]
                         /\ IF pass[self]
                               THEN /\ pc' = [pc EXCEPT ![self] = "dMvTail"]
                               ELSE /\ pc' = [pc EXCEPT ![self] = "dNext"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "fT1"]
                         /\ UNCHANGED << RTail, h, v, rd, us, ft, fc, fh >>
              /\ UNCHANGED << LHead, LTail, RNext, RHead, RClosed, Cell, ndone, 
                              inv, res, r, nxt, t, tries, pass >>

dNext(self) == /\ pc[self] = "dNext"
               /\ IF RNext[r[self]] = NULL
                     THEN /\ res' = [res EXCEPT ![<<self, ndone[self] + 1>>] = EMPTY]
                          /\ ndone' = [ndone EXCEPT ![self] = ndone[self] + 1]
                          /\ r' = [r EXCEPT ![self] = NULL]
                          /\ nxt' = [nxt EXCEPT ![self] = NULL]
                          /\ t' = [t EXCEPT ![self] = 0]
                          /\ h' = [h EXCEPT ![self] = 0]
                          /\ v' = [v EXCEPT ![self] = 0]
                          /\ rd' = [rd EXCEPT ![self] = 0]
                          /\ us' = [us EXCEPT ![self] = FALSE]
                          /\ tries' = [tries EXCEPT ![self] = 0]
                          /\ pass' = [pass EXCEPT ![self] = FALSE]
                          /\ ft' = [ft EXCEPT ![self] = 0]
                          /\ fc' = [fc EXCEPT ![self] = FALSE]
                          /\ fh' = [fh EXCEPT ![self] = 0]
                          /\ pc' = [pc EXCEPT ![self] = "start"]
                     ELSE /\ nxt' = [nxt EXCEPT ![self] = RNext[r[self]]]
                          /\ pass' = [pass EXCEPT ![self] = TRUE]
                          /\ pc' = [pc EXCEPT ![self] = "dPass"]
                          /\ UNCHANGED << ndone, res, r, t, h, v, rd, us, 
                                          tries, ft, fc, fh >>
               /\ UNCHANGED << LHead, LTail, RNext, RHead, RTail, RClosed, 
                               Cell, inv >>

dPass(self) == /\ pc[self] = "dPass"
               /\ h' = [h EXCEPT ![self] = RHead[r[self]]]
               /\ RHead' = [RHead EXCEPT ![r[self]] = RHead[r[self]] + 1]
               /\ pc' = [pc EXCEPT ![self] = "dHi"]
               /\ UNCHANGED << LHead, LTail, RNext, RTail, RClosed, Cell, 
                               ndone, inv, res, r, nxt, t, v, rd, us, tries, 
                               pass, ft, fc, fh >>

dMvTail(self) == /\ pc[self] = "dMvTail"
                 /\ IF LTail = r[self]
                       THEN /\ LTail' = nxt[self]
                       ELSE /\ TRUE
                            /\ LTail' = LTail
                 /\ pc' = [pc EXCEPT ![self] = "dMvHead"]
                 /\ UNCHANGED << LHead, RNext, RHead, RTail, RClosed, Cell, 
                                 ndone, inv, res, r, nxt, t, h, v, rd, us, 
                                 tries, pass, ft, fc, fh >>

dMvHead(self) == /\ pc[self] = "dMvHead"
                 /\ IF LHead = r[self]
                       THEN /\ LHead' = nxt[self]
                       ELSE /\ TRUE
                            /\ LHead' = LHead
                 /\ nxt' = [nxt EXCEPT ![self] = NULL]
                 /\ pass' = [pass EXCEPT ![self] = FALSE]
                 /\ pc' = [pc EXCEPT ![self] = "dHead"]
                 /\ UNCHANGED << LTail, RNext, RHead, RTail, RClosed, Cell, 
                                 ndone, inv, res, r, t, h, v, rd, us, tries, 
                                 ft, fc, fh >>

th(self) == start(self) \/ pTail(self) \/ pNext(self) \/ pHelp(self)
               \/ cpFaa(self) \/ cpHi(self) \/ cpLo(self) \/ cpSafe(self)
               \/ cpCas(self) \/ cpHead(self) \/ cpClose(self)
               \/ pLink(self) \/ pTailCas(self) \/ dHead(self)
               \/ dFaa(self) \/ dHi(self) \/ dLo(self) \/ dCas(self)
               \/ dTail(self) \/ fT1(self) \/ fH(self) \/ fT2(self)
               \/ fCas(self) \/ dNext(self) \/ dPass(self) \/ dMvTail(self)
               \/ dMvHead(self)

(* Allow infinite stuttering to prevent deadlock on termination. *)
Terminating == /\ \A self \in ProcSet: pc[self] = "Done"
               /\ UNCHANGED vars

Next == (\E self \in Threads: th(self))
           \/ Terminating

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Threads : WF_vars(th(self))

Termination == <>(\A self \in ProcSet: pc[self] = "Done")

\* END TRANSLATION

-----------------------------------------------------------------------------
(***************************************************************************)
(* Checks                                                                  *)
(***************************************************************************)
Finished == \A i \in Threads : ndone[i] = Len(Prog[i])

Range(s) == {s[j] : j \in DOMAIN s}

\* The queue's contents in FIFO order: ring after ring from l->head, the items
\* of round i in cell i mod R for i in head..tail-1.  (Not capped at head + R
\* as lcrq_size() does: see the report.)
Live(q, i) == Cell[q][i % R].item # 0 /\ Cell[q][i % R].round = i
ItemsOf(q) ==
    LET idx == [j \in 1..(IF RTail[q] > RHead[q] THEN RTail[q] - RHead[q] ELSE 0)
                   |-> RHead[q] + j - 1]
        live == SelectSeq(idx, LAMBDA i : Live(q, i))
    IN  [j \in 1..Len(live) |-> Cell[q][live[j] % R].item]
RECURSIVE RingsFrom(_)
RingsFrom(q) == ItemsOf(q) \o (IF RNext[q] = NULL THEN <<>> ELSE RingsFrom(RNext[q]))
Contents == RingsFrom(LHead)

\* lcrq_size() counts the live cells of rounds head..min(tail, head + R) - 1
\* only, and says it is exact when quiescent.  Not in MC_LCRQ.cfg (it fails
\* with three enqueuers: an item of round head + R is not counted).
SizeOf(q) ==
    LET hi == IF RTail[q] < RHead[q] + R THEN RTail[q] ELSE RHead[q] + R
    IN  Cardinality({i \in RHead[q]..(hi - 1) : Live(q, i)})
RECURSIVE SizeFrom(_)
SizeFrom(q) == SizeOf(q) + (IF RNext[q] = NULL THEN 0 ELSE SizeFrom(RNext[q]))
SizeExact == Finished => SizeFrom(LHead) = Len(Contents)

\* a completed before b was invoked
Prec(a, b) == a[2] <= inv[b][a[1]]
Invoked(o) == o[2] <= ndone[o[1]] \/ (o[2] = ndone[o[1]] + 1 /\ pc[o[1]] # "start")
Dequeued == {res[d] : d \in {o \in DeqOps : res[o] \notin {NONE, EMPTY}}}

TypeOK ==
    /\ LHead \in Rings /\ LTail \in Rings
    /\ RNext \in [Rings -> {NULL} \cup Rings]
    /\ RHead \in [Rings -> Nat] /\ RTail \in [Rings -> Nat]
    /\ RClosed \in [Rings -> BOOLEAN]
    /\ \A q \in Rings : \A c \in 0..R-1 :
           /\ Cell[q][c].item \in {0} \cup Values
           /\ Cell[q][c].round % R = c
    /\ ndone \in [Threads -> Nat]

\* the rings form a list 1 -> 2 -> ...; a ring is linked only once it is
\* closed; l->head never passes l->tail (cc_lrings_pop() moves tail first)
RingsOK ==
    /\ LHead <= LTail
    /\ LTail = 1 \/ RNext[LTail - 1] = LTail
    /\ \A q \in Rings : RNext[q] # NULL => RNext[q] = q + 1 /\ RClosed[q]

\* no value is returned by two dequeues; every value returned was enqueued
NoDuplicate ==
    \A a, b \in DeqOps : a # b /\ res[a] = res[b] => res[a] \in {NONE, EMPTY}
DeqValid ==
    \A d \in DeqOps : res[d] \in {NONE, EMPTY} \/
        \E e \in EnqOps : OpOf(e) = res[d] /\ Invoked(e)

\* at the end every value enqueued is either dequeued once or still in the queue once
NoLoss ==
    Finished =>
        /\ Range(Contents) \cup Dequeued = Values
        /\ Range(Contents) \cap Dequeued = {}
        /\ Len(Contents) = Cardinality(Range(Contents))

\* a dequeue returns EMPTY only if every enqueue that completed before it was
\* invoked had its value taken by a dequeue invoked before it returned
EmptyJustified ==
    Finished =>
        \A o \in DeqOps : res[o] = EMPTY =>
            \A e \in EnqOps : Prec(e, o) =>
                \E d \in DeqOps : res[d] = OpOf(e) /\ ~Prec(o, d)

\* FIFO linearizability: some order of all operations that respects real
\* time is a run of a sequential queue that ends with Contents
RECURSIVE LinFrom(_, _)
LinFrom(rem, q) ==
    IF rem = {} THEN q = Contents
    ELSE \E o \in rem :
           /\ \A p \in rem : ~Prec(p, o)
           /\ IF OpOf(o) > 0 THEN LinFrom(rem \ {o}, Append(q, OpOf(o)))
              ELSE IF res[o] = EMPTY THEN q = <<>> /\ LinFrom(rem \ {o}, q)
              ELSE q # <<>> /\ Head(q) = res[o] /\ LinFrom(rem \ {o}, Tail(q))
Linearizable == Finished => LinFrom(Ops, <<>>)
=============================================================================
