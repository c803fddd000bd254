--------------------------------- MODULE SCQ ---------------------------------
(***************************************************************************)
(* libconcoll's SCQ index ring (Nikolaev, DISC 2019) as implemented in     *)
(* src/queue/scq_ring.c: ring_enqueue(), ring_dequeue(), ring_catchup().   *)
(* ONE ring (the aq ring of an SCQD) of capacity n = NIDX, i.e. 2n entries. *)
(*                                                                         *)
(* Granularity: every FAA, load, CAS, fetch-or, fetch-sub and store of a   *)
(* shared word (Head, Tail, Threshold, an entry) is one step; the local    *)
(* tests between them are folded into the step that produced their input.  *)
(* Memory orders are not modelled (sequentially consistent).               *)
(*                                                                         *)
(* Abstractions (each is exact for the behaviours of the ring):            *)
(*  - Entry = [cyc, safe, idx] with idx a value or BOT.  In C the index    *)
(*    field of an empty entry is n+i (consumed, from fetch_or(n)) or 2n-1  *)
(*    (fresh or moved by a dequeuer); both are "empty" for every test.     *)
(*    They can never meet at the same cycle (n+i at cycle c only comes     *)
(*    from consuming a value of cycle c, 2n-1 at cycle c only from a       *)
(*    dequeuer of cycle c moving an older entry, and then no enqueuer of   *)
(*    cycle c can write), so no CAS compares them: one BOT suffices.       *)
(*  - remap() is the identity: for order 1 (n = 2) the C remap() IS the    *)
(*    identity (order + 1 <= SPREAD_SHIFT); in general it is a fixed       *)
(*    bijection of slots that the algorithm's logic never depends on.      *)
(*  - Values: the aq ring holds slot indices < n, at most n of them inside *)
(*    at once (the SCQD's fq ring hands each index to one pusher).  Here   *)
(*    each enqueue carries a fresh value 1, 2, ... (a renaming), and an    *)
(*    enqueue may start only while fewer than n values are inside the ring *)
(*    or in flight (from the start of ring_enqueue to the return of the    *)
(*    ring_dequeue that takes the value); otherwise the push is a FULL     *)
(*    push that never touches aq and is skipped.                           *)
(*  - Counters are unbounded integers (64-bit in C, never wrapping in      *)
(*    practice); Head = Tail = 2n at init (cycle 1), entries cycle 0.      *)
(*  - Not modelled: finalization (LSCQ; the FINALIZED bit is never set),   *)
(*    spurious failures of compare_exchange_weak (on an entry it only      *)
(*    repeats the loop with the same entry; in ring_catchup() it only      *)
(*    reloads Head and Tail and tests again).                              *)
(*                                                                         *)
(* Linearizability is checked against an abstract FIFO queue with the     *)
(* "just in time" method (Lowe): SCQ has no fixed linearization points    *)
(* (an enqueue that got a smaller Tail may land before one that wrote     *)
(* earlier), so the ghost `configs` holds every (abstract queue, results   *)
(* of the pending operations linearized so far) that some linearization   *)
(* of the history up to now can produce: it is closed under linearizing   *)
(* any pending operation when an operation is invoked, and filtered by    *)
(* the actual result when an operation responds.  The history is          *)
(* linearizable iff configs is never empty.                               *)
(*                                                                         *)
(* Liveness: under weak fairness of every thread, each invoked operation   *)
(* returns (the Threshold bounds how far dequeuers run on an empty ring).  *)
(*                                                                         *)
(* MC_SCQ.cfg uses a VIEW that shifts all counters and cycles by the same  *)
(* multiple of 2n (every test of the algorithm compares counters and       *)
(* cycles only with each other, and a slot is a counter mod 2n, so         *)
(* shifted states behave alike) and clamps Threshold at -1 (all values     *)
(* <= -1 pass the same tests: < 0, <= 0, # 3n-1, and stay <= -1 when       *)
(* decremented).  Without the threshold (mutant no_threshold) a dequeuer   *)
(* livelocks with an enqueuer while the counters grow forever; the VIEW    *)
(* turns that livelock into a finite lasso.  The CONSTRAINT SpreadOK       *)
(* bounds how far apart the live counters and the entries' cycles may      *)
(* drift (a thread stalled forever while two others livelock would make    *)
(* the state space infinite).  It never binds in the correct model:        *)
(* SpreadOK holds there as an INVARIANT with MaxSpread = 8 (no VIEW, no    *)
(* CONSTRAINT: 43100 states); MC_SCQ.cfg uses 12.                          *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, TLC

CONSTANTS
    NIDX,      \* n = 2^order: the ring holds indices < n; 2n entries
    Prog,      \* Prog[t]: the operations of thread t: "enq", "deq" or "any"
    MaxSpread  \* bound of the CONSTRAINT SpreadOK (see above)

NE      == 2 * NIDX              \* ring_entries(order) = 2n
THRFULL == 3 * NIDX - 1          \* threshold_full(order) = 3n - 1
Threads == 1..Len(Prog)
Slots   == 0..NE - 1

BOT    == 0    \* empty index field (C: bit n set, n+i or 2n-1)
\* results of operations (ghost); values are 1, 2, ...
NORES  == 0    \* not linearized (yet)
ENQOK  == -1   \* ring_enqueue() returned true
EMPTY  == -2   \* ring_dequeue() returned CC_SCQ_EMPTY
NOPOS  == -1   \* a dead counter-valued local
NOENT  == [cyc |-> -1, safe |-> FALSE, idx |-> BOT]   \* a dead entry copy

\* Programs for MC_SCQ.cfg (a TLC config cannot write tuples): Prog <- ProgN.
\* ProgMC: two values enqueued by thread 1 (the second op may be a dequeue), thread 2
\* dequeues, thread 3 enqueues or dequeues; at most n = 2 values are ever inside.
ProgMC    == << <<"enq", "any">>, <<"deq">>, <<"any">> >>
\* smaller (about 10^4 states), for quick runs
ProgSmall == << <<"enq", "enq">>, <<"deq">>, <<"deq">> >>

ASSUME NIDX \in Nat \ {0} /\ MaxSpread \in Nat
ASSUME \A t \in Threads : \A i \in 1..Len(Prog[t]) : Prog[t][i] \in {"enq", "deq", "any"}

Cycle(x) == x \div NE     \* counter_cycle(): the cycle of a Tail/Head value
Slot(x)  == x % NE        \* remap(x mod 2n), identity (see above)

(***************************************************************************)
(* The tests of the C code, as operators (most seeded bugs in             *)
(* mutants/SCQ.txt change one of these lines).                             *)
(***************************************************************************)
\* ring_enqueue(): first two conjuncts of the while: older cycle and empty index
EnqUsable(e, tc) == e.cyc < tc /\ e.idx = BOT
\* ring_enqueue(): third conjunct: (entry & safe) || Head <= t; TRUE means Head need not be read
EnqSafe(e) == e.safe
\* ring_dequeue(): an empty entry moved to the dequeuer's cycle: hcycle | (entry & safe) | empty
Moved(e, hc) == [cyc |-> hc, safe |-> e.safe, idx |-> BOT]
\* ring_dequeue(): repl for an entry of another cycle: unsafe if it holds a value, else moved
DeqRepl(e, hc) == IF e.idx # BOT THEN [e EXCEPT !.safe = FALSE]
                  ELSE Moved(e, hc)
\* ring_dequeue(): fetch_sub(threshold, 1) returned old; old <= 0: return EMPTY
ThrGiveUp(old) == old <= 0

VARIABLES
    entry,     \* r->entry[0..2n-1]
    head,      \* *r->head
    tail,      \* *r->tail
    threshold, \* *r->threshold
    pc,        \* pc[t]: the next step of thread t
    k,         \* k[t]: index of t's current operation in Prog[t]
    val,       \* val[t]: the value t's enqueue inserts (the index idx)
    pos,       \* pos[t]: t's Tail value t (enqueue) or Head value h (dequeue)
    ent,       \* ent[t]: t's local copy of the entry (`entry` in C)
    ct,        \* ct[t]: ring_catchup()'s local `tail`
    ch,        \* ch[t]: ring_catchup()'s local `head`
    \* ghosts
    nextVal,   \* the next fresh value
    inside,    \* values inside the ring or in flight (<= n, the SCQD's invariant)
    pend,      \* pend[t] = <<kind, value>>: t's pending operation (0 none, 1 enq, 2 deq)
    configs    \* the possible [q: abstract queue, lin: results of pending ops] (see above)

vars == <<entry, head, tail, threshold, pc, k, val, pos, ent, ct, ch,
          nextVal, inside, pend, configs>>

(***************************************************************************)
(* Linearizability ghost                                                   *)
(***************************************************************************)
NoOp == <<0, 0>>
\* linearize t's pending operation in configuration c
Apply(c, t, op) ==
    IF op[1] = 1 THEN [q |-> Append(c.q, op[2]), lin |-> [c.lin EXCEPT ![t] = ENQOK]]
    ELSE IF c.q = <<>> THEN [q |-> c.q, lin |-> [c.lin EXCEPT ![t] = EMPTY]]
    ELSE [q |-> Tail(c.q), lin |-> [c.lin EXCEPT ![t] = Head(c.q)]]
LinOnce(S, pd) ==
    S \cup UNION { { Apply(c, t, pd[t]) :
                       t \in {u \in Threads : pd[u][1] # 0 /\ c.lin[u] = NORES} } : c \in S }
RECURSIVE Close(_, _, _)
Close(S, pd, i) == IF i = 0 THEN S ELSE Close(LinOnce(S, pd), pd, i - 1)
\* invocation of op by t: every way to linearize the pending operations from now on
Invoked(t, op) == LET pd == [pend EXCEPT ![t] = op] IN
                  /\ pend' = pd
                  /\ configs' = Close(configs, pd, Len(Prog))
\* response of t with result r: keep the configurations that linearized t with r
Responded(t, r) == /\ pend' = [pend EXCEPT ![t] = NoOp]
                   /\ configs' = { [c EXCEPT !.lin[t] = NORES] : c \in {c \in configs : c.lin[t] = r} }

Init ==
    \* ring_init(..., full = false): cycle 0, safe, empty; Head = Tail = 2n; threshold -1
    /\ entry = [i \in Slots |-> [cyc |-> 0, safe |-> TRUE, idx |-> BOT]]
    /\ head = NE
    /\ tail = NE
    /\ threshold = -1
    /\ pc = [t \in Threads |-> "invoke"]
    /\ k = [t \in Threads |-> 1]
    /\ val = [t \in Threads |-> 0]
    /\ pos = [t \in Threads |-> NOPOS]
    /\ ent = [t \in Threads |-> NOENT]
    /\ ct = [t \in Threads |-> NOPOS]
    /\ ch = [t \in Threads |-> NOPOS]
    /\ nextVal = 1
    /\ inside = 0
    /\ pend = [t \in Threads |-> NoOp]
    /\ configs = { [q |-> <<>>, lin |-> [t \in Threads |-> NORES]] }

Goto(t, l) == pc' = [pc EXCEPT ![t] = l]
\* t forgets its counter-valued locals (they are dead from here on)
Forget(t) == /\ pos' = [pos EXCEPT ![t] = NOPOS]
             /\ ent' = [ent EXCEPT ![t] = NOENT]
\* the operation returns r
Return(t, r) == /\ Responded(t, r)
                /\ Goto(t, "invoke")
                /\ k' = [k EXCEPT ![t] = @ + 1]

(***************************************************************************)
(* Invocation: cc_scqd_push() (an index from fq, then ring_enqueue on aq)  *)
(* or cc_scqd_pop() (ring_dequeue on aq).                                  *)
(***************************************************************************)
Invoke(t) ==
    /\ pc[t] = "invoke"
    /\ k[t] <= Len(Prog[t])
    /\ \E o \in (IF Prog[t][k[t]] = "any" THEN {"enq", "deq"} ELSE {Prog[t][k[t]]}) :
        IF o = "enq" THEN
            IF inside < NIDX THEN
                /\ val' = [val EXCEPT ![t] = nextVal]
                /\ nextVal' = nextVal + 1
                /\ inside' = inside + 1
                /\ Invoked(t, <<1, nextVal>>)
                /\ Goto(t, "e_faa")
                /\ UNCHANGED k
            ELSE \* fq is empty: cc_scqd_push() returns FULL without touching aq
                /\ k' = [k EXCEPT ![t] = @ + 1]
                /\ UNCHANGED <<pc, val, nextVal, inside, pend, configs>>
        ELSE
            /\ Invoked(t, <<2, 0>>)
            /\ Goto(t, "d_thr")
            /\ UNCHANGED <<k, val, nextVal, inside>>
    /\ UNCHANGED <<entry, head, tail, threshold, pos, ent, ct, ch>>

(***************************************************************************)
(* ring_enqueue(r, order, idx, false)                                      *)
(***************************************************************************)
\* after loading (or failing a CAS on) the entry e: the while condition of ring_enqueue()
EnqNext(e, t) ==
    IF EnqUsable(e, Cycle(t)) THEN (IF EnqSafe(e) THEN "e_cas" ELSE "e_head")
    ELSE "e_faa"   \* leave the while loop: retry with a new Tail

\* ring_enqueue(): t = fetch_add(r->tail, 1)
EFaa(t) ==
    /\ pc[t] = "e_faa"
    /\ pos' = [pos EXCEPT ![t] = tail]
    /\ tail' = tail + 1
    /\ Goto(t, "e_load")
    /\ UNCHANGED <<entry, head, threshold, k, val, ent, ct, ch, nextVal, inside, pend, configs>>

\* ring_enqueue(): entry = load(slot); test cycle < tcycle && empty && (safe || ...)
ELoad(t) ==
    /\ pc[t] = "e_load"
    /\ LET e == entry[Slot(pos[t])] IN
         /\ Goto(t, EnqNext(e, pos[t]))
         /\ IF EnqNext(e, pos[t]) = "e_faa" THEN Forget(t)
            ELSE /\ ent' = [ent EXCEPT ![t] = e]
                 /\ UNCHANGED pos
    /\ UNCHANGED <<entry, head, tail, threshold, k, val, ct, ch, nextVal, inside, pend, configs>>

\* ring_enqueue(): the entry is unsafe: load(r->head), go on if Head <= t
EHead(t) ==
    /\ pc[t] = "e_head"
    /\ IF head <= pos[t] THEN /\ Goto(t, "e_cas")
                              /\ UNCHANGED <<pos, ent>>
       ELSE /\ Goto(t, "e_faa")
            /\ Forget(t)
    /\ UNCHANGED <<entry, head, tail, threshold, k, val, ct, ch, nextVal, inside, pend, configs>>

\* ring_enqueue(): compare_exchange(slot, &entry, tcycle | safe | idx); on failure the
\* while condition is re-evaluated with the entry the CAS read
ECas(t) ==
    /\ pc[t] = "e_cas"
    /\ LET s == Slot(pos[t]) IN
       IF entry[s] = ent[t] THEN
           /\ entry' = [entry EXCEPT ![s] = [cyc |-> Cycle(pos[t]), safe |-> TRUE, idx |-> val[t]]]
           /\ Goto(t, "e_thr")
           /\ Forget(t)
       ELSE
           /\ Goto(t, EnqNext(entry[s], pos[t]))
           /\ IF EnqNext(entry[s], pos[t]) = "e_faa" THEN Forget(t)
              ELSE /\ ent' = [ent EXCEPT ![t] = entry[s]]
                   /\ UNCHANGED pos
           /\ UNCHANGED entry
    /\ UNCHANGED <<head, tail, threshold, k, val, ct, ch, nextVal, inside, pend, configs>>

\* ring_enqueue(): load(r->threshold) != threshold_full ?
EThr(t) ==
    /\ pc[t] = "e_thr"
    /\ IF threshold # THRFULL THEN /\ Goto(t, "e_thr_store")
                                   /\ UNCHANGED <<k, pend, configs>>
       ELSE Return(t, ENQOK)
    /\ UNCHANGED <<entry, head, tail, threshold, val, pos, ent, ct, ch, nextVal, inside>>

\* ring_enqueue(): store(r->threshold, threshold_full); return true
EThrStore(t) ==
    /\ pc[t] = "e_thr_store"
    /\ threshold' = THRFULL
    /\ Return(t, ENQOK)
    /\ UNCHANGED <<entry, head, tail, val, pos, ent, ct, ch, nextVal, inside>>

(***************************************************************************)
(* ring_dequeue(r, order) and ring_catchup(r, tail, head)                 *)
(***************************************************************************)
\* after loading (or failing a CAS on) the entry e: the body and condition of the do-while
DeqNext(e, h) ==
    IF e.cyc = Cycle(h) THEN "d_or"                          \* ours: consume it
    ELSE IF e.idx # BOT /\ DeqRepl(e, Cycle(h)) = e THEN "d_tail"  \* repl == entry: break
    ELSE IF e.cyc < Cycle(h) THEN "d_cas"                    \* older cycle: CAS it to repl
    ELSE "d_tail"                                            \* newer cycle: leave the loop

\* ring_dequeue(): if (load(r->threshold) < 0) return EMPTY
DThr(t) ==
    /\ pc[t] = "d_thr"
    /\ IF threshold < 0 THEN Return(t, EMPTY)
       ELSE /\ Goto(t, "d_faa")
            /\ UNCHANGED <<k, pend, configs>>
    /\ UNCHANGED <<entry, head, tail, threshold, val, pos, ent, ct, ch, nextVal, inside>>

\* ring_dequeue(): h = fetch_add(r->head, 1)
DFaa(t) ==
    /\ pc[t] = "d_faa"
    /\ pos' = [pos EXCEPT ![t] = head]
    /\ head' = head + 1
    /\ Goto(t, "d_load")
    /\ UNCHANGED <<entry, tail, threshold, k, val, ent, ct, ch, nextVal, inside, pend, configs>>

\* ring_dequeue(): entry = load(slot), then the do-while body on it
DLoad(t) ==
    /\ pc[t] = "d_load"
    /\ LET e == entry[Slot(pos[t])] IN
         /\ ent' = [ent EXCEPT ![t] = e]
         /\ Goto(t, DeqNext(e, pos[t]))
    /\ UNCHANGED <<entry, head, tail, threshold, k, val, pos, ct, ch, nextVal, inside, pend, configs>>

\* ring_dequeue(): compare_exchange(slot, &entry, repl); on failure the body runs again
\* on the entry the CAS read
DCas(t) ==
    /\ pc[t] = "d_cas"
    /\ LET s == Slot(pos[t]) IN
       IF entry[s] = ent[t] THEN
           /\ entry' = [entry EXCEPT ![s] = DeqRepl(ent[t], Cycle(pos[t]))]
           /\ Goto(t, "d_tail")
           /\ UNCHANGED ent
       ELSE
           /\ ent' = [ent EXCEPT ![t] = entry[s]]
           /\ Goto(t, DeqNext(entry[s], pos[t]))
           /\ UNCHANGED entry
    /\ UNCHANGED <<head, tail, threshold, k, val, pos, ct, ch, nextVal, inside, pend, configs>>

\* ring_dequeue(): ours: fetch_or(slot, n) marks it consumed; return entry & (n - 1)
DOr(t) ==
    /\ pc[t] = "d_or"
    /\ entry' = [entry EXCEPT ![Slot(pos[t])].idx = BOT]
    /\ inside' = inside - 1
    /\ Return(t, ent[t].idx)
    /\ Forget(t)
    /\ UNCHANGED <<head, tail, threshold, val, ct, ch, nextVal>>

\* ring_dequeue(): t = load(r->tail); if (t <= h + 1) catchup and return EMPTY
DTail(t) ==
    /\ pc[t] = "d_tail"
    /\ IF tail <= pos[t] + 1 THEN
           /\ ct' = [ct EXCEPT ![t] = tail]
           /\ ch' = [ch EXCEPT ![t] = pos[t] + 1]
           /\ Goto(t, "c_cas")
       ELSE /\ Goto(t, "d_dec")
            /\ UNCHANGED <<ct, ch>>
    /\ Forget(t)
    /\ UNCHANGED <<entry, head, tail, threshold, k, val, nextVal, inside, pend, configs>>

\* ring_catchup(): compare_exchange(r->tail, &tail, head)
CCas(t) ==
    /\ pc[t] = "c_cas"
    /\ IF tail = ct[t] THEN /\ tail' = ch[t]
                            /\ Goto(t, "d_dec_empty")
                            /\ ct' = [ct EXCEPT ![t] = NOPOS]
                            /\ ch' = [ch EXCEPT ![t] = NOPOS]
       ELSE /\ Goto(t, "c_head")
            /\ UNCHANGED <<tail, ct, ch>>
    /\ UNCHANGED <<entry, head, threshold, k, val, pos, ent, nextVal, inside, pend, configs>>

\* ring_catchup(): head = load(r->head)
CHead(t) ==
    /\ pc[t] = "c_head"
    /\ ch' = [ch EXCEPT ![t] = head]
    /\ Goto(t, "c_tail")
    /\ UNCHANGED <<entry, head, tail, threshold, k, val, pos, ent, ct, nextVal, inside, pend, configs>>

\* ring_catchup(): tail = load(r->tail); if (tail >= head) break
CTail(t) ==
    /\ pc[t] = "c_tail"
    /\ IF tail >= ch[t] THEN /\ Goto(t, "d_dec_empty")
                             /\ ct' = [ct EXCEPT ![t] = NOPOS]
                             /\ ch' = [ch EXCEPT ![t] = NOPOS]
       ELSE /\ Goto(t, "c_cas")
            /\ ct' = [ct EXCEPT ![t] = tail]
            /\ UNCHANGED ch
    /\ UNCHANGED <<entry, head, tail, threshold, k, val, pos, ent, nextVal, inside, pend, configs>>

\* ring_dequeue(): after catchup: fetch_sub(r->threshold, 1); return EMPTY
DDecEmpty(t) ==
    /\ pc[t] = "d_dec_empty"
    /\ threshold' = threshold - 1
    /\ Return(t, EMPTY)
    /\ UNCHANGED <<entry, head, tail, val, pos, ent, ct, ch, nextVal, inside>>

\* ring_dequeue(): if (fetch_sub(r->threshold, 1) <= 0) return EMPTY; else next iteration
DDec(t) ==
    /\ pc[t] = "d_dec"
    /\ threshold' = threshold - 1
    /\ IF ThrGiveUp(threshold) THEN Return(t, EMPTY)
       ELSE /\ Goto(t, "d_faa")
            /\ UNCHANGED <<k, pend, configs>>
    /\ UNCHANGED <<entry, head, tail, val, pos, ent, ct, ch, nextVal, inside>>

Thread(t) ==
    \/ Invoke(t)
    \/ EFaa(t) \/ ELoad(t) \/ EHead(t) \/ ECas(t) \/ EThr(t) \/ EThrStore(t)
    \/ DThr(t) \/ DFaa(t) \/ DLoad(t) \/ DCas(t) \/ DOr(t) \/ DTail(t) \/ DDec(t)
    \/ DDecEmpty(t) \/ CCas(t) \/ CHead(t) \/ CTail(t)

Next == \E t \in Threads : Thread(t)

Spec == Init /\ [][Next]_vars /\ \A t \in Threads : WF_vars(Thread(t))

(***************************************************************************)
(* Invariants                                                              *)
(***************************************************************************)
Entries == [cyc : Nat, safe : BOOLEAN, idx : 0..nextVal]
TypeOK ==
    /\ entry \in [Slots -> Entries]
    /\ head \in Nat /\ tail \in Nat /\ threshold \in Int
    /\ inside \in 0..NIDX
    /\ \A t \in Threads : ent[t] \in Entries \cup {NOENT}

\* the history so far is linearizable w.r.t. a FIFO queue
Linearizable == configs # {}

Live == {i \in Slots : entry[i].idx # BOT}
Pos(i) == entry[i].cyc * NE + i        \* the Tail value that wrote entry i
RECURSIVE SeqOf(_)
SeqOf(S) == IF S = {} THEN <<>>
            ELSE LET m == CHOOSE i \in S : \A j \in S : Pos(i) <= Pos(j)
                 IN <<entry[m].idx>> \o SeqOf(S \ {m})

\* no value is in two entries
NoDuplicate == \A i, j \in Live : i # j => entry[i].idx # entry[j].idx

\* when no operation is in flight: every value in the ring lies in [Head, Tail) (a later
\* dequeue will reach it: none is lost behind Head), and the ring, read from Head to
\* Tail, is a possible state of the abstract queue
Quiescent == \A t \in Threads : pend[t] = NoOp
NoLostValue ==
    Quiescent => /\ \A i \in Live : head <= Pos(i) /\ Pos(i) < tail
                 /\ SeqOf(Live) \in {c.q : c \in configs}

(***************************************************************************)
(* Liveness: each operation of each thread eventually returns.             *)
(***************************************************************************)
InOp(t) == pc[t] # "invoke"
\* each invoked operation returns: InOp(t) ~> ~InOp(t), written as the equivalent
\* []<>~InOp(t) (TLC checks it without a tableau, about twice as fast)
OpsComplete == \A t \in Threads : []<>~InOp(t)
\* every thread eventually finishes its program (implies OpsComplete here)
Termination == <>(\A t \in Threads : ~InOp(t) /\ k[t] > Len(Prog[t]))

(***************************************************************************)
(* VIEW and CONSTRAINT for TLC (see the header)                            *)
(***************************************************************************)
LiveCounters ==
    {head, tail} \cup {pos[t] : t \in {u \in Threads : pos[u] # NOPOS}}
                 \cup {ct[t] : t \in {u \in Threads : ct[u] # NOPOS}}
                 \cup {ch[t] : t \in {u \in Threads : ch[u] # NOPOS}}
MinOf(S) == CHOOSE x \in S : \A y \in S : x <= y
MaxOf(S) == CHOOSE x \in S : \A y \in S : x >= y
Base == (MinOf(LiveCounters) \div NE) * NE   \* a multiple of 2n
ShC(x) == IF x = NOPOS THEN NOPOS ELSE x - Base
ShE(e) == IF e = NOENT THEN NOENT ELSE [e EXCEPT !.cyc = @ - Base \div NE]
View == << [i \in Slots |-> ShE(entry[i])], head - Base, tail - Base,
           IF threshold < -1 THEN -1 ELSE threshold,
           pc, k, val, [t \in Threads |-> ShC(pos[t])], [t \in Threads |-> ShE(ent[t])],
           [t \in Threads |-> ShC(ct[t])], [t \in Threads |-> ShC(ch[t])],
           nextVal, inside, pend, configs >>

\* how far apart the live counters and the entries' cycles are
Spread == MaxOf(LiveCounters \cup {(entry[i].cyc + 1) * NE : i \in Slots})
          - MinOf(LiveCounters \cup {entry[i].cyc * NE : i \in Slots})
SpreadOK == Spread <= MaxSpread
==============================================================================
