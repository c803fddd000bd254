------------------------------- MODULE Treiber -------------------------------
(***************************************************************************)
(* libconcoll's Treiber stack with an elimination array, as implemented in *)
(* src/stack/treiber.c (treiber_push, treiber_pop, treiber_size,          *)
(* eliminate_push, eliminate_pop).                                         *)
(*                                                                         *)
(* Granularity: every load, store and CAS of a shared word (t->top, a      *)
(* slot's v) is one step.  Writes to a node that is still private (next,   *)
(* depth, item before the publishing CAS) and reads of fields that are     *)
(* immutable once published (next, depth, item of a node read under the    *)
(* SMR guard) are folded into a neighbouring step; this is sound because   *)
(* no other thread can observe the difference.                             *)
(*                                                                         *)
(* Memory: the C code makes ABA on t->top impossible through SMR (a popped *)
(* node is retired and not freed while any thread that read it is inside   *)
(* its guard).  The model therefore never reuses a node: every push        *)
(* allocates a fresh node, whose id is the value pushed (each push in the  *)
(* model pushes a distinct value, and node->item = item).  Nodes taken     *)
(* through the elimination array are freed at once in C; they were never   *)
(* in the list, and a reused address in a slot is a genuine new offer, so  *)
(* this abstraction loses nothing either.  Memory orders are not modelled  *)
(* (the model is sequentially consistent).                                 *)
(*                                                                         *)
(* Each thread runs a fixed program Prog[t] of operations: "push", "pop",  *)
(* "size" or "any" (push or pop, chosen when it is invoked).  The k-th     *)
(* operation of thread t pushes the value Val(t, k).  The slot a thread    *)
(* visits (pick_slot with its adaptive range) is chosen nondeterministically, *)
(* and so is the timeout of a pusher waiting for a popper (ELIM_WAIT).     *)
(* With Spurious, a weak CAS on top may fail although top is unchanged.    *)
(*                                                                         *)
(* Linearizability is checked with a ghost abstract stack (absStack),      *)
(* updated at the step where the C code linearizes: the successful CAS on  *)
(* top (push, pop), the popper's CAS on a slot (an eliminated pair: the    *)
(* push immediately followed by the pop), the load of top that found it    *)
(* NULL (a pop that returns EAGAIN) and the load of top in size.  lin[t]   *)
(* records what the abstract stack answered at that point; at the          *)
(* response, the value the C code returns must equal it.                   *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, TLC

CONSTANTS
    Prog,      \* Prog[t]: the operations of thread t, in order
    NSlots,    \* elimination slots (t->nslots); 0 = CONCOLL_STACK_NO_ELIMINATION
    Spurious   \* TRUE: compare_exchange_weak on top may fail spuriously

Threads == 1..Len(Prog)
MaxLen  == CHOOSE m \in {Len(Prog[t]) : t \in Threads} :
               \A t \in Threads : Len(Prog[t]) <= m
Val(t, i) == (t - 1) * MaxLen + i      \* the value (and node) of push i of thread t
Owner(x)  == (x - 1) \div MaxLen + 1   \* the thread that pushes x
Nodes == UNION {{Val(t, i) : i \in {j \in 1..Len(Prog[t]) : Prog[t][j] \in {"push", "any"}}} :
                 t \in Threads}
Item(x) == x                           \* node->item (the node id is its value)
Slots == 1..NSlots

NULL   == 0     \* a null node pointer
EMPTY  == 0     \* SLOT_EMPTY
TAKEN  == -1    \* SLOT_TAKEN
NONE   == -2    \* ghost: not linearized (yet)
EAGAIN == -3    \* pop's -EAGAIN
OK     == -4    \* push's 0
TWICE  == -5    \* ghost: the operation was linearized twice

\* Ghost: the abstract result r recorded at a linearization point of an operation
\* whose record is l; an operation that already linearized gets TWICE (a bug).
LP(l, r) == IF l = NONE THEN r ELSE TWICE

\* Programs for the cfg (a TLC config cannot write tuples): Prog <- ProgMC.
\* ProgMC: 3 threads; two pops can meet one offer in the elimination array
\* (T2's push collides with T1's, T3 pops T1's value, then T1 and T3 pop an
\* empty stack), and size runs concurrently with everything.
ProgMC  == << <<"push", "pop">>, <<"push", "size">>, <<"pop", "any">> >>
\* ProgAny: 2 threads, every operation push or pop, nondeterministically.
ProgAny == << <<"any", "any", "any">>, <<"any", "any", "size">> >>

ASSUME NSlots \in Nat /\ Spurious \in BOOLEAN
ASSUME \A t \in Threads : \A i \in 1..Len(Prog[t]) :
           Prog[t][i] \in {"push", "pop", "size", "any"}

(***************************************************************************
--algorithm Treiber
variables
    top   = NULL,                       \* t->top
    next  = [x \in Nodes |-> NULL],     \* node->next
    depth = [x \in Nodes |-> 0],        \* node->depth
    slot  = [i \in Slots |-> EMPTY],    \* t->slots[i].v
    \* ghosts
    absStack = <<>>,                    \* the abstract LIFO stack, top first
    lin = [t \in Threads |-> NONE],     \* the abstract result of t's pending operation
    got = [x \in Nodes |-> 0],          \* how many pops have returned x
    pushed = {};                        \* the values whose push was invoked

define
    RECURSIVE ListFrom(_, _)
    ListFrom(x, fuel) == IF x = NULL \/ fuel = 0 THEN <<>>
                         ELSE <<x>> \o ListFrom(next[x], fuel - 1)
    List == ListFrom(top, Cardinality(Nodes) + 1)   \* the nodes from top down
end define;

fair process thr \in Threads
variables
    k = 1,          \* index of the current operation in Prog[self]
    op = "none",
    n = NULL,       \* push: this push's node
    tl = NULL,      \* the local copy of top
    s = 1,          \* the slot picked by pick_slot()
    v = EMPTY,      \* eliminate_pop(): the slot value read
    ret = NONE;     \* the value the operation returns
begin
\* invocation of the next operation (concoll_stack_push/pop/size)
Invoke:
    if k > Len(Prog[self]) then
        goto Done;
    else
        with o \in (IF Prog[self][k] = "any" THEN {"push", "pop"} ELSE {Prog[self][k]}) do
            op := o;
        end with;
        lin[self] := NONE;
        ret := NONE;
        if op = "push" then
            \* treiber_push(): cc_alloc a fresh node; node->item = item
            n := Val(self, k);
            pushed := pushed \union {Val(self, k)};
            goto PushLoad;
        elsif op = "pop" then
            goto PopLoad;
        else
            goto SizeLoad;
        end if;
    end if;

\* treiber_push(): top = atomic_load(&t->top); also the reload after a failed eliminate_push()
PushLoad:
    tl := top;
\* treiber_push(): node->next = top; node->depth = top ? top->depth + 1 : 1 (node still private)
PushPrep:
    next[n] := tl || depth[n] := IF tl = NULL THEN 1 ELSE depth[tl] + 1;
\* treiber_push(): compare_exchange_weak(&t->top, &top, node), linearization point of the push
PushCas:
    either
        await top = tl;
        top := n;
        absStack := <<Item(n)>> \o absStack;
        lin[self] := LP(lin[self], OK);
        ret := OK;
        goto Respond;
    or
        await top # tl \/ Spurious;
        if NSlots = 0 then
            \* cc_backoff_wait(), retry (the CAS's reread of top is a later load here)
            goto PushLoad;
        end if;
    end either;
\* eliminate_push(): pick_slot(), then the relaxed quick look at the slot
EPushLook:
    with i \in Slots do s := i; end with;
    if slot[s] # EMPTY then
        goto PushLoad;    \* range_adjust(grow); return false
    end if;
\* eliminate_push(): compare_exchange(&s->v, EMPTY, node) publishes the offer
EPushOffer:
    if slot[s] = EMPTY then
        slot[s] := n;
    else
        goto PushLoad;
    end if;
\* eliminate_push(): the wait loop, relaxed loads of the slot; the timeout after ELIM_WAIT
\* loads is a nondeterministic give-up
EPushWait:
    if slot[s] = TAKEN then
        goto EPushTaken;
    else
        either goto EPushWait; or goto EPushWithdraw; end either;
    end if;
\* eliminate_push(): compare_exchange(&s->v, node, EMPTY) withdraws the offer; it fails only
\* when a popper took it
EPushWithdraw:
    if slot[s] = n then
        slot[s] := EMPTY;
        goto PushLoad;    \* range_adjust(shrink); return false; reload top
    end if;
\* eliminate_push(), taken: atomic_store(&s->v, EMPTY); the push returns 0
EPushTaken:
    slot[s] := EMPTY;
    ret := OK;
    goto Respond;

\* treiber_pop(): top = atomic_load(&t->top); also the reload after a failed eliminate_pop();
\* a NULL top is where a pop returning -EAGAIN linearizes
PopLoad:
    tl := top;
    if top = NULL then
        lin[self] := IF absStack = <<>> THEN EAGAIN ELSE NONE;
        if NSlots = 0 then
            ret := EAGAIN;
            goto Respond;
        else
            goto EPopLook;
        end if;
    end if;
\* treiber_pop(): compare_exchange_weak(&t->top, &top, top->next), linearization point of
\* the pop (top->next is immutable and read under the SMR guard)
PopCas:
    either
        await top = tl;
        top := next[tl];
        lin[self] := LP(lin[self], Head(absStack));
        absStack := Tail(absStack);
        goto PopItem;
    or
        await top # tl \/ Spurious;
        if NSlots = 0 then
            goto PopLoad;
        else
            goto EPopLook;
        end if;
    end either;
\* treiber_pop(): *item = top->item; cc_smr_retire(top)
PopItem:
    ret := Item(tl);
    goto Respond;
\* eliminate_pop(): pick_slot(), then the relaxed quick look at the slot
EPopLook:
    with i \in Slots do s := i; end with;
    v := slot[s];
    if v = EMPTY \/ v = TAKEN then
        if tl = NULL then
            ret := EAGAIN;      \* treiber_pop(): empty, nothing to eliminate
            goto Respond;
        else
            goto PopLoad;       \* reload top and retry
        end if;
    end if;
\* eliminate_pop(): compare_exchange(&s->v, offer, TAKEN) takes the offer: the pair
\* linearizes here, the push immediately followed by this pop; then *item = node->item
\* and cc_free(node) (the node is private to the popper now)
EPopCas:
    if slot[s] = v then
        slot[s] := TAKEN;
        \* (a pop that found top NULL replaces its tentative EAGAIN record)
        lin := [lin EXCEPT ![self] = LP(IF lin[self] = EAGAIN THEN NONE ELSE lin[self], Item(v)),
                           ![Owner(v)] = LP(lin[Owner(v)], OK)];
        ret := Item(v);
        goto Respond;
    elsif tl = NULL then
        ret := EAGAIN;
        goto Respond;
    else
        goto PopLoad;
    end if;

\* treiber_size(): one load of top; n = top ? top->depth : 0 (depth is immutable)
SizeLoad:
    ret := IF top = NULL THEN 0 ELSE depth[top];
    lin[self] := LP(lin[self], Len(absStack));
\* the operation returns (response event)
Respond:
    if op = "pop" /\ ret \in Nodes then
        got[ret] := got[ret] + 1;
    end if;
    k := k + 1;
    goto Invoke;
end process;
end algorithm;
***************************************************************************)
\* BEGIN TRANSLATION
VARIABLES top, next, depth, slot, absStack, lin, got, pushed, pc

(* define statement *)
RECURSIVE ListFrom(_, _)
ListFrom(x, fuel) == IF x = NULL \/ fuel = 0 THEN <<>>
                     ELSE <<x>> \o ListFrom(next[x], fuel - 1)
List == ListFrom(top, Cardinality(Nodes) + 1)

VARIABLES k, op, n, tl, s, v, ret

vars == << top, next, depth, slot, absStack, lin, got, pushed, pc, k, op, n, 
           tl, s, v, ret >>

ProcSet == (Threads)

Init == (* Global variables *)
        /\ top = NULL
        /\ next = [x \in Nodes |-> NULL]
        /\ depth = [x \in Nodes |-> 0]
        /\ slot = [i \in Slots |-> EMPTY]
        /\ absStack = <<>>
        /\ lin = [t \in Threads |-> NONE]
        /\ got = [x \in Nodes |-> 0]
        /\ pushed = {}
        (* Process thr *)
        /\ k = [self \in Threads |-> 1]
        /\ op = [self \in Threads |-> "none"]
        /\ n = [self \in Threads |-> NULL]
        /\ tl = [self \in Threads |-> NULL]
        /\ s = [self \in Threads |-> 1]
        /\ v = [self \in Threads |-> EMPTY]
        /\ ret = [self \in Threads |-> NONE]
        /\ pc = [self \in ProcSet |-> "Invoke"]

Invoke(self) == /\ pc[self] = "Invoke"
                /\ IF k[self] > Len(Prog[self])
                      THEN /\ pc' = [pc EXCEPT ![self] = "Done"]
                           /\ UNCHANGED << lin, pushed, op, n, ret >>
                      ELSE /\ \E o \in (IF Prog[self][k[self]] = "any" THEN {"push", "pop"} ELSE {Prog[self][k[self]]}):
                                op' = [op EXCEPT ![self] = o]
                           /\ lin' = [lin EXCEPT ![self] = NONE]
                           /\ ret' = [ret EXCEPT ![self] = NONE]
                           /\ IF op'[self] = "push"
                                 THEN /\ n' = [n EXCEPT ![self] = Val(self, k[self])]
                                      /\ pushed' = (pushed \union {Val(self, k[self])})
                                      /\ pc' = [pc EXCEPT ![self] = "PushLoad"]
                                 ELSE /\ IF op'[self] = "pop"
                                            THEN /\ pc' = [pc EXCEPT ![self] = "PopLoad"]
                                            ELSE /\ pc' = [pc EXCEPT ![self] = "SizeLoad"]
                                      /\ UNCHANGED << pushed, n >>
                /\ UNCHANGED << top, next, depth, slot, absStack, got, k, tl, 
                                s, v >>

PushLoad(self) == /\ pc[self] = "PushLoad"
                  /\ tl' = [tl EXCEPT ![self] = top]
                  /\ pc' = [pc EXCEPT ![self] = "PushPrep"]
                  /\ UNCHANGED << top, next, depth, slot, absStack, lin, got, 
                                  pushed, k, op, n, s, v, ret >>

PushPrep(self) == /\ pc[self] = "PushPrep"
                  /\ /\ depth' = [depth EXCEPT ![n[self]] = IF tl[self] = NULL THEN 1 ELSE depth[tl[self]] + 1]
                     /\ next' = [next EXCEPT ![n[self]] = tl[self]]
                  /\ pc' = [pc EXCEPT ![self] = "PushCas"]
                  /\ UNCHANGED << top, slot, absStack, lin, got, pushed, k, op, 
                                  n, tl, s, v, ret >>

PushCas(self) == /\ pc[self] = "PushCas"
                 /\ \/ /\ top = tl[self]
                       /\ top' = n[self]
                       /\ absStack' = <<Item(n[self])>> \o absStack
                       /\ lin' = [lin EXCEPT ![self] = LP(lin[self], OK)]
                       /\ ret' = [ret EXCEPT ![self] = OK]
                       /\ pc' = [pc EXCEPT ![self] = "Respond"]
                    \/ /\ top # tl[self] \/ Spurious
                       /\ IF NSlots = 0
                             THEN /\ pc' = [pc EXCEPT ![self] = "PushLoad"]
                             ELSE /\ pc' = [pc EXCEPT ![self] = "EPushLook"]
                       /\ UNCHANGED <<top, absStack, lin, ret>>
                 /\ UNCHANGED << next, depth, slot, got, pushed, k, op, n, tl, 
                                 s, v >>

EPushLook(self) == /\ pc[self] = "EPushLook"
                   /\ \E i \in Slots:
                        s' = [s EXCEPT ![self] = i]
                   /\ IF slot[s'[self]] # EMPTY
                         THEN /\ pc' = [pc EXCEPT ![self] = "PushLoad"]
                         ELSE /\ pc' = [pc EXCEPT ![self] = "EPushOffer"]
                   /\ UNCHANGED << top, next, depth, slot, absStack, lin, got, 
                                   pushed, k, op, n, tl, v, ret >>

EPushOffer(self) == /\ pc[self] = "EPushOffer"
                    /\ IF slot[s[self]] = EMPTY
                          THEN /\ slot' = [slot EXCEPT ![s[self]] = n[self]]
                               /\ pc' = [pc EXCEPT ![self] = "EPushWait"]
                          ELSE /\ pc' = [pc EXCEPT ![self] = "PushLoad"]
                               /\ slot' = slot
                    /\ UNCHANGED << top, next, depth, absStack, lin, got, 
                                    pushed, k, op, n, tl, s, v, ret >>

EPushWait(self) == /\ pc[self] = "EPushWait"
                   /\ IF slot[s[self]] = TAKEN
                         THEN /\ pc' = [pc EXCEPT ![self] = "EPushTaken"]
                         ELSE /\ \/ /\ pc' = [pc EXCEPT ![self] = "EPushWait"]
                                 \/ /\ pc' = [pc EXCEPT ![self] = "EPushWithdraw"]
                   /\ UNCHANGED << top, next, depth, slot, absStack, lin, got, 
                                   pushed, k, op, n, tl, s, v, ret >>

EPushWithdraw(self) == /\ pc[self] = "EPushWithdraw"
                       /\ IF slot[s[self]] = n[self]
                             THEN /\ slot' = [slot EXCEPT ![s[self]] = EMPTY]
                                  /\ pc' = [pc EXCEPT ![self] = "PushLoad"]
                             ELSE /\ pc' = [pc EXCEPT ![self] = "EPushTaken"]
                                  /\ slot' = slot
                       /\ UNCHANGED << top, next, depth, absStack, lin, got, 
                                       pushed, k, op, n, tl, s, v, ret >>

EPushTaken(self) == /\ pc[self] = "EPushTaken"
                    /\ slot' = [slot EXCEPT ![s[self]] = EMPTY]
                    /\ ret' = [ret EXCEPT ![self] = OK]
                    /\ pc' = [pc EXCEPT ![self] = "Respond"]
                    /\ UNCHANGED << top, next, depth, absStack, lin, got, 
                                    pushed, k, op, n, tl, s, v >>

PopLoad(self) == /\ pc[self] = "PopLoad"
                 /\ tl' = [tl EXCEPT ![self] = top]
                 /\ IF top = NULL
                       THEN /\ lin' = [lin EXCEPT ![self] = IF absStack = <<>> THEN EAGAIN ELSE NONE]
                            /\ IF NSlots = 0
                                  THEN /\ ret' = [ret EXCEPT ![self] = EAGAIN]
                                       /\ pc' = [pc EXCEPT ![self] = "Respond"]
                                  ELSE /\ pc' = [pc EXCEPT ![self] = "EPopLook"]
                                       /\ ret' = ret
                       ELSE /\ pc' = [pc EXCEPT ![self] = "PopCas"]
                            /\ UNCHANGED << lin, ret >>
                 /\ UNCHANGED << top, next, depth, slot, absStack, got, pushed, 
                                 k, op, n, s, v >>

PopCas(self) == /\ pc[self] = "PopCas"
                /\ \/ /\ top = tl[self]
                      /\ top' = next[tl[self]]
                      /\ lin' = [lin EXCEPT ![self] = LP(lin[self], Head(absStack))]
                      /\ absStack' = Tail(absStack)
                      /\ pc' = [pc EXCEPT ![self] = "PopItem"]
                   \/ /\ top # tl[self] \/ Spurious
                      /\ IF NSlots = 0
                            THEN /\ pc' = [pc EXCEPT ![self] = "PopLoad"]
                            ELSE /\ pc' = [pc EXCEPT ![self] = "EPopLook"]
                      /\ UNCHANGED <<top, absStack, lin>>
                /\ UNCHANGED << next, depth, slot, got, pushed, k, op, n, tl, 
                                s, v, ret >>

PopItem(self) == /\ pc[self] = "PopItem"
                 /\ ret' = [ret EXCEPT ![self] = Item(tl[self])]
                 /\ pc' = [pc EXCEPT ![self] = "Respond"]
                 /\ UNCHANGED << top, next, depth, slot, absStack, lin, got, 
                                 pushed, k, op, n, tl, s, v >>

EPopLook(self) == /\ pc[self] = "EPopLook"
                  /\ \E i \in Slots:
                       s' = [s EXCEPT ![self] = i]
                  /\ v' = [v EXCEPT ![self] = slot[s'[self]]]
                  /\ IF v'[self] = EMPTY \/ v'[self] = TAKEN
                        THEN /\ IF tl[self] = NULL
                                   THEN /\ ret' = [ret EXCEPT ![self] = EAGAIN]
                                        /\ pc' = [pc EXCEPT ![self] = "Respond"]
                                   ELSE /\ pc' = [pc EXCEPT ![self] = "PopLoad"]
                                        /\ ret' = ret
                        ELSE /\ pc' = [pc EXCEPT ![self] = "EPopCas"]
                             /\ ret' = ret
                  /\ UNCHANGED << top, next, depth, slot, absStack, lin, got, 
                                  pushed, k, op, n, tl >>

EPopCas(self) == /\ pc[self] = "EPopCas"
                 /\ IF slot[s[self]] = v[self]
                       THEN /\ slot' = [slot EXCEPT ![s[self]] = TAKEN]
                            /\ lin' = [lin EXCEPT ![self] = LP(IF lin[self] = EAGAIN THEN NONE ELSE lin[self], Item(v[self])),
                                                  ![Owner(v[self])] = LP(lin[Owner(v[self])], OK)]
                            /\ ret' = [ret EXCEPT ![self] = Item(v[self])]
                            /\ pc' = [pc EXCEPT ![self] = "Respond"]
                       ELSE /\ IF tl[self] = NULL
                                  THEN /\ ret' = [ret EXCEPT ![self] = EAGAIN]
                                       /\ pc' = [pc EXCEPT ![self] = "Respond"]
                                  ELSE /\ pc' = [pc EXCEPT ![self] = "PopLoad"]
                                       /\ ret' = ret
                            /\ UNCHANGED << slot, lin >>
                 /\ UNCHANGED << top, next, depth, absStack, got, pushed, k, 
                                 op, n, tl, s, v >>

SizeLoad(self) == /\ pc[self] = "SizeLoad"
                  /\ ret' = [ret EXCEPT ![self] = IF top = NULL THEN 0 ELSE depth[top]]
                  /\ lin' = [lin EXCEPT ![self] = LP(lin[self], Len(absStack))]
                  /\ pc' = [pc EXCEPT ![self] = "Respond"]
                  /\ UNCHANGED << top, next, depth, slot, absStack, got, 
                                  pushed, k, op, n, tl, s, v >>

Respond(self) == /\ pc[self] = "Respond"
                 /\ IF op[self] = "pop" /\ ret[self] \in Nodes
                       THEN /\ got' = [got EXCEPT ![ret[self]] = got[ret[self]] + 1]
                       ELSE /\ TRUE
                            /\ got' = got
                 /\ k' = [k EXCEPT ![self] = k[self] + 1]
                 /\ pc' = [pc EXCEPT ![self] = "Invoke"]
                 /\ UNCHANGED << top, next, depth, slot, absStack, lin, pushed, 
                                 op, n, tl, s, v, ret >>

thr(self) == Invoke(self) \/ PushLoad(self) \/ PushPrep(self)
                \/ PushCas(self) \/ EPushLook(self) \/ EPushOffer(self)
                \/ EPushWait(self) \/ EPushWithdraw(self)
                \/ EPushTaken(self) \/ PopLoad(self) \/ PopCas(self)
                \/ PopItem(self) \/ EPopLook(self) \/ EPopCas(self)
                \/ SizeLoad(self) \/ Respond(self)

(* Allow infinite stuttering to prevent deadlock on termination. *)
Terminating == /\ \A self \in ProcSet: pc[self] = "Done"
               /\ UNCHANGED vars

Next == (\E self \in Threads: thr(self))
           \/ Terminating

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Threads : WF_vars(thr(self))

Termination == <>(\A self \in ProcSet: pc[self] = "Done")

\* END TRANSLATION

-----------------------------------------------------------------------------
(* Invariants *)

TypeOK ==
    /\ top \in Nodes \cup {NULL}
    /\ next \in [Nodes -> Nodes \cup {NULL}]
    /\ depth \in [Nodes -> Nat]
    /\ slot \in [Slots -> Nodes \cup {EMPTY, TAKEN}]
    /\ absStack \in Seq(Nodes)
    /\ lin \in [Threads -> Nodes \cup {NONE, EAGAIN, OK, TWICE} \cup Nat]
    /\ got \in [Nodes -> Nat]
    /\ pushed \subseteq Nodes
    /\ ret \in [Threads -> Nodes \cup {NONE, EAGAIN, OK} \cup Nat]

\* Linearizability: every operation linearized exactly once, between its
\* invocation (Invoke resets lin) and its response, and returns what the
\* abstract LIFO stack answered there (a push: that it was linearized).
Linearizable == \A t \in Threads : pc[t] = "Respond" => ret[t] = lin[t]

\* The list from top is finite (no cycle).
Acyclic == Len(List) <= Cardinality(Nodes)

\* node->depth is the number of nodes from it to the bottom (what size returns).
DepthOK == \A i \in 1..Len(List) : depth[List[i]] = Len(List) - i + 1

\* The items on the list are the abstract stack (eliminated pairs never touch either).
ListIsAbstract == [i \in 1..Len(List) |-> Item(List[i])] = absStack

\* Where each value is: still held by its pusher (before the push's CAS on top
\* succeeded, or offered in a slot and not taken), on the list, held by a pop
\* that took it and has not returned yet, or returned by a pop.
PushHeld(t) ==
    /\ op[t] = "push"
    /\ \/ pc[t] \in {"PushLoad", "PushPrep", "PushCas", "EPushLook", "EPushOffer"}
       \/ pc[t] \in {"EPushWait", "EPushWithdraw"} /\ slot[s[t]] # TAKEN
PopHeld(t) ==
    IF pc[t] = "PopItem" THEN {tl[t]}
    ELSE IF pc[t] = "Respond" /\ op[t] = "pop" /\ ret[t] \in Nodes THEN {ret[t]}
    ELSE {}
Copies(x) ==
    Cardinality({i \in 1..Len(List) : List[i] = x})
    + got[x]
    + Cardinality({t \in Threads : PushHeld(t) /\ n[t] = x})
    + Cardinality({t \in Threads : x \in PopHeld(t)})

\* No value lost or duplicated: pushed = in flight (+) on the stack (+) popped.
Conservation == \A x \in Nodes : Copies(x) = IF x \in pushed THEN 1 ELSE 0

\* A slot holds EMPTY, the offer of a pusher waiting on it, or TAKEN while
\* that pusher has not yet written EMPTY back.
Offering(t, i) == pc[t] \in {"EPushWait", "EPushWithdraw"} /\ s[t] = i
SlotOK ==
    \A i \in Slots :
        \/ slot[i] = EMPTY
        \/ slot[i] \in Nodes /\ Offering(Owner(slot[i]), i) /\ n[Owner(slot[i])] = slot[i]
        \/ slot[i] = TAKEN /\ \E t \in Threads : (Offering(t, i) \/ (pc[t] = "EPushTaken" /\ s[t] = i))

\* (Termination, defined by the translation: every thread finishes its program.)
=============================================================================
