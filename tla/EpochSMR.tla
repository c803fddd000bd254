------------------------------ MODULE EpochSMR ------------------------------
(***************************************************************************)
(* Epoch-based reclamation of libconcoll (src/smr/smr.h, src/smr/epoch.c). *)
(*                                                                         *)
(* Per-thread record state word: Idle (0), Steal (CC_SMR_STEAL), or an     *)
(* announced epoch e >= 0 (e<<2 | CC_SMR_ACTIVE).  The global epoch goes   *)
(* from e to e+1 only when every active record announces e (try_advance).  *)
(* A thread pinned at p stamps what it retires p+1 (cc_smr_retire); a      *)
(* bucket is freed once the global epoch reaches stamp+2.                  *)
(*                                                                         *)
(* Model: Threads run Ops guards each.  In a guard a thread pins           *)
(* (cc_smr_pin), loads the shared one-slot pointer `head`, may unlink the  *)
(* node it read by a CAS that installs a fresh node and retire it, then    *)
(* "accesses" the node (it holds rd until the unpin), may collect          *)
(* (cc_smr_collect: try_advance + free own expired buckets), and exits     *)
(* (cc_smr_exit, with cc_smr_handoff when a barrier asked).  A thread      *)
(* that finished its guards detaches (release_record: its buckets become   *)
(* orphans).  A record-less collector calls concoll_smr_flush()            *)
(* (try_advance + orphans_collect).  Optionally one record-less barrier    *)
(* (concoll_smr_barrier with self == NULL) takes every record's garbage    *)
(* through CC_SMR_STEAL or the owner's handoff, and frees it after driving *)
(* the epoch to stamp+2.                                                   *)
(*                                                                         *)
(* Memory model: sequential consistency (the pin/scan store-load pair is   *)
(* fenced in the C code).  Every load, store and CAS of a shared word      *)
(* (cc_smr_epoch, r->state, r->flush_req, head) is its own step; work done *)
(* under orphan_lock is one step; taking expired buckets and running their *)
(* callbacks is one step (an unlinked node is never re-acquired, so a free *)
(* at the detach step is at least as unsafe as any later one).  Nodes are  *)
(* never reused.  Not modelled: nested guards (only the outermost pins),   *)
(* registration and record reuse, the record-less retire path, fork, the   *)
(* statistics counters, orphan_count (a hint) and the trylock's failure.   *)
(*                                                                         *)
(* Reannounce below: cc_smr_pin() re-announced only when the epoch moved  *)
(* twice (`now > e + 1`); that broke the protocol's "epoch <= pinned+1"    *)
(* claim and let a node be freed under a reader (mutant pin_c_threshold).  *)
(* The C code now re-announces whenever the epoch moved, as checked here.  *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, TLC

CONSTANTS
    NT,          \* number of threads with a record
    Ops,         \* guards per thread
    Unlinks,     \* total unlinks (fresh nodes) available
    MaxEpoch,    \* the collector advances freely below this epoch
    WithBarrier  \* model one concoll_smr_barrier() caller

ASSUME NT \in Nat \ {0} /\ Ops \in Nat /\ Unlinks \in Nat /\ MaxEpoch \in Nat
ASSUME WithBarrier \in BOOLEAN

Threads == 1..NT
Col == NT + 1                       \* the record-less collector
Bar == NT + 2                       \* the record-less barrier
BarrierSet == IF WithBarrier THEN {Bar} ELSE {}
Nodes == 0..Unlinks                 \* node 0 is the initial head
None == -1
Idle == -1                          \* state word 0
Steal == -2                         \* state word CC_SMR_STEAL
NoEpoch == -1
IsActive(s) == s >= 0               \* state & CC_SMR_ACTIVE; s is the epoch

NB == 4                             \* CC_SMR_BUCKETS
Slots == 0..(NB - 1)
EmptyB == [stamp |-> 0, nodes |-> {}]       \* count == Cardinality(nodes)
EmptyBuckets == [i \in Slots |-> EmptyB]

(* ---- the protocol's decisions, one definition each ---- *)

\* cc_smr_pin(): after announcing e, re-announce when the re-read epoch
\* `now` satisfies this (`now != e` in the C code since e1cb2a7; the
\* earlier `now > e + 1` is mutant pin_c_threshold).
Reannounce(now, e) == now # e

\* cc_smr_retire(): the stamp, from the pinned epoch p (g, the global epoch
\* at the retire step, is not read by the C code).
Stamp(p, g) == p + 1

\* cc_smr_collect(), orphans_take_expired(), concoll_smr_barrier().
Expired(stamp, g) == stamp + 2 <= g

\* try_advance(): a record with state s does not stop an advance from e.
ScanOK(s, e) == ~IsActive(s) \/ s = e

(* ---- buckets ---- *)

Max2(a, b) == IF a > b THEN a ELSE b
SetMax(S) == CHOOSE x \in S : \A y \in S : y <= x

\* bucket_splice(dst, src): dst keeps the larger stamp.
Splice(dst, src) ==
    IF src.nodes = {} THEN dst
    ELSE IF dst.nodes = {} THEN src
    ELSE [stamp |-> Max2(dst.stamp, src.stamp), nodes |-> dst.nodes \cup src.nodes]

\* orphans_adopt(): bucket i of a record holds stamps = i (mod NB), so it
\* goes to orphan[i] (BucketsWellFormed checks that).
Adopt(orph, bk) == [i \in Slots |-> Splice(orph[i], bk[i])]

\* concoll_smr_barrier(): splice all NB buckets of bk into one.
SpliceAll(dst, bk) ==
    LET full == {i \in Slots : bk[i].nodes # {}}
        stamps == {bk[i].stamp : i \in full} \cup (IF dst.nodes = {} THEN {} ELSE {dst.stamp})
    IN IF full = {} THEN dst
       ELSE [stamp |-> SetMax(stamps),
             nodes |-> dst.nodes \cup UNION {bk[i].nodes : i \in full}]

DueSlots(bk, g) == {i \in Slots : bk[i].nodes # {} /\ Expired(bk[i].stamp, g)}
DueNodes(bk, g) == UNION {bk[i].nodes : i \in DueSlots(bk, g)}
KeepNotDue(bk, g) == [i \in Slots |-> IF i \in DueSlots(bk, g) THEN EmptyB ELSE bk[i]]
BucketNodes(bk) == UNION {bk[i].nodes : i \in Slots}

\* cc_smr_retire(): the slot stamp % NB; a non-empty slot with another
\* stamp is "at least 4 epochs old, so expired" and is run right away.
OldInSlot(bk, s) == LET i == s % NB IN
    IF bk[i].nodes # {} /\ bk[i].stamp # s THEN bk[i].nodes ELSE {}
RetireB(bk, n, s) == LET i == s % NB IN
    [bk EXCEPT ![i] = [stamp |-> s,
                       nodes |-> (IF @.nodes # {} /\ @.stamp # s THEN {} ELSE @.nodes) \cup {n}]]

Free(st, S) == [n \in Nodes |-> IF n \in S THEN "freed" ELSE st[n]]
RetireStatus(st, n, old) ==
    [m \in Nodes |-> IF m = n THEN "retired" ELSE IF m \in old THEN "freed" ELSE st[m]]

(*--algorithm EpochSMR {
variables
    epoch = 0,                                    \* cc_smr_epoch
    state = [t \in Threads |-> Idle],             \* r->state
    flushReq = [t \in Threads |-> FALSE],         \* r->flush_req
    pinned = [t \in Threads |-> NoEpoch],         \* r->pinned_epoch (NoEpoch outside a guard)
    bucket = [t \in Threads |-> EmptyBuckets],    \* r->bucket[]
    orphan = EmptyBuckets,                        \* orphan[] (under orphan_lock)
    head = 0,                                     \* the algorithm's shared pointer
    nextNode = 1,                                 \* next fresh node
    status = [n \in Nodes |-> IF n = 0 THEN "linked" ELSE "fresh"];


\* cc_smr_pin(self).  The caller's step is the first load of the pin,
\* e = load(cc_smr_epoch), passed as pe.
procedure pin(pe)
{
  \* cc_smr_pin(): CAS(state, 0, e<<2|ACTIVE); fails while a barrier holds STEAL
  pin_cas:    if (state[self] = Idle) { state[self] := pe } else { goto pin_load };
  \* cc_smr_pin(): now = load(cc_smr_epoch); loop while Reannounce(now, e)
  pin_reread: if (Reannounce(epoch, pe)) {
                pe := epoch;
  \* cc_smr_pin(): store(state, now<<2|ACTIVE)
  pin_reann:    state[self] := pe;
                goto pin_reread
              } else {
                pinned[self] := pe;
                return
              };
  \* cc_smr_pin(): after cc_pause(), e = load(cc_smr_epoch) again
  pin_load:   pe := epoch;
              goto pin_cas;
}

\* try_advance().  The caller's step is its first load, e = load(cc_smr_epoch),
\* passed as te (cc_smp_mb follows).
procedure try_advance(te)
variables si = NT;
{
  \* try_advance(): walk the registry (newest record first), load(r->state) each
  ta_scan: while (si >= 1) {
             if (ScanOK(state[si], te)) { si := si - 1 } else { return }
           };
  \* try_advance(): CAS(cc_smr_epoch, e, e+1)
  ta_cas:  if (epoch = te) { epoch := te + 1 };
           return;
}

fair process (thr \in Threads)
variables ops = 0, rd = None;
{
 t_loop:   while (ops < Ops) {
             ops := ops + 1;
             \* cc_smr_enter(): the outermost guard pins; cc_smr_pin(): load(cc_smr_epoch)
             call pin(epoch);
             \* algorithm: rd = load(head) inside the guard; rd is then dereferenced
             \* (held) until the unpin.  Next: unlink rd, or collect, or exit.
 t_read:     rd := head;
             either { goto t_unlink } or { goto t_advance } or { goto t_exit };
             \* algorithm: CAS(head, rd, fresh) to unlink rd
 t_unlink:   if (head = rd /\ nextNode <= Unlinks) {
               status := [status EXCEPT ![rd] = "unlinked", ![nextNode] = "linked"];
               head := nextNode;
               nextNode := nextNode + 1;
               \* cc_smr_retire(): stamp pinned+1 into bucket[stamp % NB]
 t_retire:     status := RetireStatus(status, rd, OldInSlot(bucket[self], Stamp(pinned[self], epoch)));
               bucket[self] := RetireB(bucket[self], rd, Stamp(pinned[self], epoch));
               either { goto t_advance } or { goto t_exit }
             } else {
               either { goto t_advance } or { goto t_exit }
             };
             \* cc_smr_collect() inside the guard (every 64th retire, or
             \* concoll_smr_flush); try_advance(): load(cc_smr_epoch)
 t_advance:  call try_advance(epoch);
             \* cc_smr_collect(): g = epoch_now(); run own buckets with stamp+2 <= g
 t_collect:  status := Free(status, DueNodes(bucket[self], epoch));
             bucket[self] := KeepNotDue(bucket[self], epoch);
             \* cc_smr_exit(): load(flush_req); if set, cc_smr_handoff():
             \* orphans_adopt(self) under orphan_lock
 t_exit:     if (flushReq[self]) {
               orphan := Adopt(orphan, bucket[self]);
               bucket[self] := EmptyBuckets;
               \* cc_smr_handoff(): store(flush_req, 0)
 t_handoff:    flushReq[self] := FALSE;
             };
             \* cc_smr_exit(): store(state, 0)
 t_unpin:    state[self] := Idle;
             pinned[self] := NoEpoch;
             rd := None;
           };
           \* release_record() (thread exit / concoll_thread_detach): nest == 0,
           \* so cc_smr_pin(): load(cc_smr_epoch)
           call pin(epoch);
           \* release_record(): orphans_adopt(r) under orphan_lock
 r_adopt:  orphan := Adopt(orphan, bucket[self]);
           bucket[self] := EmptyBuckets;
           \* release_record(): store(flush_req, 0)
 r_flush:  flushReq[self] := FALSE;
           \* release_record(): store(state, 0)
 r_idle:   state[self] := Idle;
           pinned[self] := NoEpoch;
}

\* concoll_smr_flush() by a thread without a record: try_advance + orphans_collect
fair process (col = Col)
{
 c_loop:   while (TRUE) {
             \* environment: flush is called while the epoch is small or orphans wait
             await epoch < MaxEpoch \/ BucketNodes(orphan) # {};
             \* try_advance(): load(cc_smr_epoch)
             call try_advance(epoch);
             \* orphans_collect(): under orphan_lock, orphans_take_expired(epoch_now()); run_list
 c_orphan:   status := Free(status, DueNodes(orphan, epoch));
             orphan := KeepNotDue(orphan, epoch);
           }
}

\* concoll_smr_barrier() by a thread without a record
fair process (bar \in BarrierSet)
variables all = EmptyB, bi = 0, pending = FALSE;
{
 b_start:  bi := NT;
           \* concoll_smr_barrier(): store(r->flush_req, 1) for every record
 b_req:    while (bi >= 1) { flushReq[bi] := TRUE; bi := bi - 1 };
 b_round:  pending := FALSE; bi := NT;
           \* barrier_take(r) for every record
 b_take:   while (bi >= 1) {
             \* barrier_take(): CAS(r->state, 0, STEAL)
             if (state[bi] = Idle) {
               state[bi] := Steal;
               \* barrier_take(): bucket_splice(into, &r->bucket[i]) for all i
 b_splice:     all := SpliceAll(all, bucket[bi]);
               bucket[bi] := EmptyBuckets;
               \* barrier_take(): store(r->flush_req, 0)
 b_clear:      flushReq[bi] := FALSE;
               \* barrier_take(): store(r->state, 0)
 b_unsteal:    state[bi] := Idle;
               bi := bi - 1;
             } else {
               \* barrier_take(): load(r->flush_req) == 0 ?
 b_flag:       if (flushReq[bi]) { pending := TRUE };
               bi := bi - 1;
             }
           };
           \* barrier_wait() and retry while some owner has not handed off
 b_wait:   if (pending) { goto b_round };
           \* concoll_smr_barrier(): under orphan_lock, splice every orphan bucket
 b_orphan: all := SpliceAll(all, orphan);
           orphan := EmptyBuckets;
           \* while (all.count && epoch_now() < all.stamp + 2) try_advance()
 b_adv:    while (all.nodes # {} /\ ~Expired(all.stamp, epoch)) {
             \* try_advance(): load(cc_smr_epoch)
 b_try:      call try_advance(epoch);
           };
           \* run_list(all.head)
 b_free:   status := Free(status, all.nodes);
           all := EmptyB;
}
} *)
\* BEGIN TRANSLATION (chksum(pcal) = "1ffabed8" /\ chksum(tla) = "c578101e")
CONSTANT defaultInitValue
VARIABLES epoch, state, flushReq, pinned, bucket, orphan, head, nextNode, 
          status, pc, stack, pe, te, si, ops, rd, all, bi, pending

vars == << epoch, state, flushReq, pinned, bucket, orphan, head, nextNode, 
           status, pc, stack, pe, te, si, ops, rd, all, bi, pending >>

ProcSet == (Threads) \cup {Col} \cup (BarrierSet)

Init == (* Global variables *)
        /\ epoch = 0
        /\ state = [t \in Threads |-> Idle]
        /\ flushReq = [t \in Threads |-> FALSE]
        /\ pinned = [t \in Threads |-> NoEpoch]
        /\ bucket = [t \in Threads |-> EmptyBuckets]
        /\ orphan = EmptyBuckets
        /\ head = 0
        /\ nextNode = 1
        /\ status = [n \in Nodes |-> IF n = 0 THEN "linked" ELSE "fresh"]
        (* Procedure pin *)
        /\ pe = [ self \in ProcSet |-> defaultInitValue]
        (* Procedure try_advance *)
        /\ te = [ self \in ProcSet |-> defaultInitValue]
        /\ si = [ self \in ProcSet |-> NT]
        (* Process thr *)
        /\ ops = [self \in Threads |-> 0]
        /\ rd = [self \in Threads |-> None]
        (* Process bar *)
        /\ all = [self \in BarrierSet |-> EmptyB]
        /\ bi = [self \in BarrierSet |-> 0]
        /\ pending = [self \in BarrierSet |-> FALSE]
        /\ stack = [self \in ProcSet |-> << >>]
        /\ pc = [self \in ProcSet |-> CASE self \in Threads -> "t_loop"
                                        [] self = Col -> "c_loop"
                                        [] self \in BarrierSet -> "b_start"]

pin_cas(self) == /\ pc[self] = "pin_cas"
                 /\ IF state[self] = Idle
                       THEN /\ state' = [state EXCEPT ![self] = pe[self]]
                            /\ pc' = [pc EXCEPT ![self] = "pin_reread"]
                       ELSE /\ pc' = [pc EXCEPT ![self] = "pin_load"]
                            /\ state' = state
                 /\ UNCHANGED << epoch, flushReq, pinned, bucket, orphan, head, 
                                 nextNode, status, stack, pe, te, si, ops, rd, 
                                 all, bi, pending >>

pin_reread(self) == /\ pc[self] = "pin_reread"
                    /\ IF Reannounce(epoch, pe[self])
                          THEN /\ pe' = [pe EXCEPT ![self] = epoch]
                               /\ pc' = [pc EXCEPT ![self] = "pin_reann"]
                               /\ UNCHANGED << pinned, stack >>
                          ELSE /\ pinned' = [pinned EXCEPT ![self] = pe[self]]
                               /\ pc' = [pc EXCEPT ![self] = Head(stack[self]).pc]
                               /\ pe' = [pe EXCEPT ![self] = Head(stack[self]).pe]
                               /\ stack' = [stack EXCEPT ![self] = Tail(stack[self])]
                    /\ UNCHANGED << epoch, state, flushReq, bucket, orphan, 
                                    head, nextNode, status, te, si, ops, rd, 
                                    all, bi, pending >>

pin_reann(self) == /\ pc[self] = "pin_reann"
                   /\ state' = [state EXCEPT ![self] = pe[self]]
                   /\ pc' = [pc EXCEPT ![self] = "pin_reread"]
                   /\ UNCHANGED << epoch, flushReq, pinned, bucket, orphan, 
                                   head, nextNode, status, stack, pe, te, si, 
                                   ops, rd, all, bi, pending >>

pin_load(self) == /\ pc[self] = "pin_load"
                  /\ pe' = [pe EXCEPT ![self] = epoch]
                  /\ pc' = [pc EXCEPT ![self] = "pin_cas"]
                  /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, 
                                  orphan, head, nextNode, status, stack, te, 
                                  si, ops, rd, all, bi, pending >>

pin(self) == pin_cas(self) \/ pin_reread(self) \/ pin_reann(self)
                \/ pin_load(self)

ta_scan(self) == /\ pc[self] = "ta_scan"
                 /\ IF si[self] >= 1
                       THEN /\ IF ScanOK(state[si[self]], te[self])
                                  THEN /\ si' = [si EXCEPT ![self] = si[self] - 1]
                                       /\ pc' = [pc EXCEPT ![self] = "ta_scan"]
                                       /\ UNCHANGED << stack, te >>
                                  ELSE /\ pc' = [pc EXCEPT ![self] = Head(stack[self]).pc]
                                       /\ si' = [si EXCEPT ![self] = Head(stack[self]).si]
                                       /\ te' = [te EXCEPT ![self] = Head(stack[self]).te]
                                       /\ stack' = [stack EXCEPT ![self] = Tail(stack[self])]
                       ELSE /\ pc' = [pc EXCEPT ![self] = "ta_cas"]
                            /\ UNCHANGED << stack, te, si >>
                 /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, 
                                 orphan, head, nextNode, status, pe, ops, rd, 
                                 all, bi, pending >>

ta_cas(self) == /\ pc[self] = "ta_cas"
                /\ IF epoch = te[self]
                      THEN /\ epoch' = te[self] + 1
                      ELSE /\ TRUE
                           /\ epoch' = epoch
                /\ pc' = [pc EXCEPT ![self] = Head(stack[self]).pc]
                /\ si' = [si EXCEPT ![self] = Head(stack[self]).si]
                /\ te' = [te EXCEPT ![self] = Head(stack[self]).te]
                /\ stack' = [stack EXCEPT ![self] = Tail(stack[self])]
                /\ UNCHANGED << state, flushReq, pinned, bucket, orphan, head, 
                                nextNode, status, pe, ops, rd, all, bi, 
                                pending >>

try_advance(self) == ta_scan(self) \/ ta_cas(self)

t_loop(self) == /\ pc[self] = "t_loop"
                /\ IF ops[self] < Ops
                      THEN /\ ops' = [ops EXCEPT ![self] = ops[self] + 1]
                           /\ /\ pe' = [pe EXCEPT ![self] = epoch]
                              /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "pin",
                                                                       pc        |->  "t_read",
                                                                       pe        |->  pe[self] ] >>
                                                                   \o stack[self]]
                           /\ pc' = [pc EXCEPT ![self] = "pin_cas"]
                      ELSE /\ /\ pe' = [pe EXCEPT ![self] = epoch]
                              /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "pin",
                                                                       pc        |->  "r_adopt",
                                                                       pe        |->  pe[self] ] >>
                                                                   \o stack[self]]
                           /\ pc' = [pc EXCEPT ![self] = "pin_cas"]
                           /\ ops' = ops
                /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, orphan, 
                                head, nextNode, status, te, si, rd, all, bi, 
                                pending >>

t_read(self) == /\ pc[self] = "t_read"
                /\ rd' = [rd EXCEPT ![self] = head]
                /\ \/ /\ pc' = [pc EXCEPT ![self] = "t_unlink"]
                   \/ /\ pc' = [pc EXCEPT ![self] = "t_advance"]
                   \/ /\ pc' = [pc EXCEPT ![self] = "t_exit"]
                /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, orphan, 
                                head, nextNode, status, stack, pe, te, si, ops, 
                                all, bi, pending >>

t_unlink(self) == /\ pc[self] = "t_unlink"
                  /\ IF head = rd[self] /\ nextNode <= Unlinks
                        THEN /\ status' = [status EXCEPT ![rd[self]] = "unlinked", ![nextNode] = "linked"]
                             /\ head' = nextNode
                             /\ nextNode' = nextNode + 1
                             /\ pc' = [pc EXCEPT ![self] = "t_retire"]
                        ELSE /\ \/ /\ pc' = [pc EXCEPT ![self] = "t_advance"]
                                \/ /\ pc' = [pc EXCEPT ![self] = "t_exit"]
                             /\ UNCHANGED << head, nextNode, status >>
                  /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, 
                                  orphan, stack, pe, te, si, ops, rd, all, bi, 
                                  pending >>

t_retire(self) == /\ pc[self] = "t_retire"
                  /\ status' = RetireStatus(status, rd[self], OldInSlot(bucket[self], Stamp(pinned[self], epoch)))
                  /\ bucket' = [bucket EXCEPT ![self] = RetireB(bucket[self], rd[self], Stamp(pinned[self], epoch))]
                  /\ \/ /\ pc' = [pc EXCEPT ![self] = "t_advance"]
                     \/ /\ pc' = [pc EXCEPT ![self] = "t_exit"]
                  /\ UNCHANGED << epoch, state, flushReq, pinned, orphan, head, 
                                  nextNode, stack, pe, te, si, ops, rd, all, 
                                  bi, pending >>

t_advance(self) == /\ pc[self] = "t_advance"
                   /\ /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "try_advance",
                                                               pc        |->  "t_collect",
                                                               si        |->  si[self],
                                                               te        |->  te[self] ] >>
                                                           \o stack[self]]
                      /\ te' = [te EXCEPT ![self] = epoch]
                   /\ si' = [si EXCEPT ![self] = NT]
                   /\ pc' = [pc EXCEPT ![self] = "ta_scan"]
                   /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, 
                                   orphan, head, nextNode, status, pe, ops, rd, 
                                   all, bi, pending >>

t_collect(self) == /\ pc[self] = "t_collect"
                   /\ status' = Free(status, DueNodes(bucket[self], epoch))
                   /\ bucket' = [bucket EXCEPT ![self] = KeepNotDue(bucket[self], epoch)]
                   /\ pc' = [pc EXCEPT ![self] = "t_exit"]
                   /\ UNCHANGED << epoch, state, flushReq, pinned, orphan, 
                                   head, nextNode, stack, pe, te, si, ops, rd, 
                                   all, bi, pending >>

t_exit(self) == /\ pc[self] = "t_exit"
                /\ IF flushReq[self]
                      THEN /\ orphan' = Adopt(orphan, bucket[self])
                           /\ bucket' = [bucket EXCEPT ![self] = EmptyBuckets]
                           /\ pc' = [pc EXCEPT ![self] = "t_handoff"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "t_unpin"]
                           /\ UNCHANGED << bucket, orphan >>
                /\ UNCHANGED << epoch, state, flushReq, pinned, head, nextNode, 
                                status, stack, pe, te, si, ops, rd, all, bi, 
                                pending >>

t_handoff(self) == /\ pc[self] = "t_handoff"
                   /\ flushReq' = [flushReq EXCEPT ![self] = FALSE]
                   /\ pc' = [pc EXCEPT ![self] = "t_unpin"]
                   /\ UNCHANGED << epoch, state, pinned, bucket, orphan, head, 
                                   nextNode, status, stack, pe, te, si, ops, 
                                   rd, all, bi, pending >>

t_unpin(self) == /\ pc[self] = "t_unpin"
                 /\ state' = [state EXCEPT ![self] = Idle]
                 /\ pinned' = [pinned EXCEPT ![self] = NoEpoch]
                 /\ rd' = [rd EXCEPT ![self] = None]
                 /\ pc' = [pc EXCEPT ![self] = "t_loop"]
                 /\ UNCHANGED << epoch, flushReq, bucket, orphan, head, 
                                 nextNode, status, stack, pe, te, si, ops, all, 
                                 bi, pending >>

r_adopt(self) == /\ pc[self] = "r_adopt"
                 /\ orphan' = Adopt(orphan, bucket[self])
                 /\ bucket' = [bucket EXCEPT ![self] = EmptyBuckets]
                 /\ pc' = [pc EXCEPT ![self] = "r_flush"]
                 /\ UNCHANGED << epoch, state, flushReq, pinned, head, 
                                 nextNode, status, stack, pe, te, si, ops, rd, 
                                 all, bi, pending >>

r_flush(self) == /\ pc[self] = "r_flush"
                 /\ flushReq' = [flushReq EXCEPT ![self] = FALSE]
                 /\ pc' = [pc EXCEPT ![self] = "r_idle"]
                 /\ UNCHANGED << epoch, state, pinned, bucket, orphan, head, 
                                 nextNode, status, stack, pe, te, si, ops, rd, 
                                 all, bi, pending >>

r_idle(self) == /\ pc[self] = "r_idle"
                /\ state' = [state EXCEPT ![self] = Idle]
                /\ pinned' = [pinned EXCEPT ![self] = NoEpoch]
                /\ pc' = [pc EXCEPT ![self] = "Done"]
                /\ UNCHANGED << epoch, flushReq, bucket, orphan, head, 
                                nextNode, status, stack, pe, te, si, ops, rd, 
                                all, bi, pending >>

thr(self) == t_loop(self) \/ t_read(self) \/ t_unlink(self)
                \/ t_retire(self) \/ t_advance(self) \/ t_collect(self)
                \/ t_exit(self) \/ t_handoff(self) \/ t_unpin(self)
                \/ r_adopt(self) \/ r_flush(self) \/ r_idle(self)

c_loop == /\ pc[Col] = "c_loop"
          /\ epoch < MaxEpoch \/ BucketNodes(orphan) # {}
          /\ /\ stack' = [stack EXCEPT ![Col] = << [ procedure |->  "try_advance",
                                                     pc        |->  "c_orphan",
                                                     si        |->  si[Col],
                                                     te        |->  te[Col] ] >>
                                                 \o stack[Col]]
             /\ te' = [te EXCEPT ![Col] = epoch]
          /\ si' = [si EXCEPT ![Col] = NT]
          /\ pc' = [pc EXCEPT ![Col] = "ta_scan"]
          /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, orphan, head, 
                          nextNode, status, pe, ops, rd, all, bi, pending >>

c_orphan == /\ pc[Col] = "c_orphan"
            /\ status' = Free(status, DueNodes(orphan, epoch))
            /\ orphan' = KeepNotDue(orphan, epoch)
            /\ pc' = [pc EXCEPT ![Col] = "c_loop"]
            /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, head, 
                            nextNode, stack, pe, te, si, ops, rd, all, bi, 
                            pending >>

col == c_loop \/ c_orphan

b_start(self) == /\ pc[self] = "b_start"
                 /\ bi' = [bi EXCEPT ![self] = NT]
                 /\ pc' = [pc EXCEPT ![self] = "b_req"]
                 /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, 
                                 orphan, head, nextNode, status, stack, pe, te, 
                                 si, ops, rd, all, pending >>

b_req(self) == /\ pc[self] = "b_req"
               /\ IF bi[self] >= 1
                     THEN /\ flushReq' = [flushReq EXCEPT ![bi[self]] = TRUE]
                          /\ bi' = [bi EXCEPT ![self] = bi[self] - 1]
                          /\ pc' = [pc EXCEPT ![self] = "b_req"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "b_round"]
                          /\ UNCHANGED << flushReq, bi >>
               /\ UNCHANGED << epoch, state, pinned, bucket, orphan, head, 
                               nextNode, status, stack, pe, te, si, ops, rd, 
                               all, pending >>

b_round(self) == /\ pc[self] = "b_round"
                 /\ pending' = [pending EXCEPT ![self] = FALSE]
                 /\ bi' = [bi EXCEPT ![self] = NT]
                 /\ pc' = [pc EXCEPT ![self] = "b_take"]
                 /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, 
                                 orphan, head, nextNode, status, stack, pe, te, 
                                 si, ops, rd, all >>

b_take(self) == /\ pc[self] = "b_take"
                /\ IF bi[self] >= 1
                      THEN /\ IF state[bi[self]] = Idle
                                 THEN /\ state' = [state EXCEPT ![bi[self]] = Steal]
                                      /\ pc' = [pc EXCEPT ![self] = "b_splice"]
                                 ELSE /\ pc' = [pc EXCEPT ![self] = "b_flag"]
                                      /\ state' = state
                      ELSE /\ pc' = [pc EXCEPT ![self] = "b_wait"]
                           /\ state' = state
                /\ UNCHANGED << epoch, flushReq, pinned, bucket, orphan, head, 
                                nextNode, status, stack, pe, te, si, ops, rd, 
                                all, bi, pending >>

b_splice(self) == /\ pc[self] = "b_splice"
                  /\ all' = [all EXCEPT ![self] = SpliceAll(all[self], bucket[bi[self]])]
                  /\ bucket' = [bucket EXCEPT ![bi[self]] = EmptyBuckets]
                  /\ pc' = [pc EXCEPT ![self] = "b_clear"]
                  /\ UNCHANGED << epoch, state, flushReq, pinned, orphan, head, 
                                  nextNode, status, stack, pe, te, si, ops, rd, 
                                  bi, pending >>

b_clear(self) == /\ pc[self] = "b_clear"
                 /\ flushReq' = [flushReq EXCEPT ![bi[self]] = FALSE]
                 /\ pc' = [pc EXCEPT ![self] = "b_unsteal"]
                 /\ UNCHANGED << epoch, state, pinned, bucket, orphan, head, 
                                 nextNode, status, stack, pe, te, si, ops, rd, 
                                 all, bi, pending >>

b_unsteal(self) == /\ pc[self] = "b_unsteal"
                   /\ state' = [state EXCEPT ![bi[self]] = Idle]
                   /\ bi' = [bi EXCEPT ![self] = bi[self] - 1]
                   /\ pc' = [pc EXCEPT ![self] = "b_take"]
                   /\ UNCHANGED << epoch, flushReq, pinned, bucket, orphan, 
                                   head, nextNode, status, stack, pe, te, si, 
                                   ops, rd, all, pending >>

b_flag(self) == /\ pc[self] = "b_flag"
                /\ IF flushReq[bi[self]]
                      THEN /\ pending' = [pending EXCEPT ![self] = TRUE]
                      ELSE /\ TRUE
                           /\ UNCHANGED pending
                /\ bi' = [bi EXCEPT ![self] = bi[self] - 1]
                /\ pc' = [pc EXCEPT ![self] = "b_take"]
                /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, orphan, 
                                head, nextNode, status, stack, pe, te, si, ops, 
                                rd, all >>

b_wait(self) == /\ pc[self] = "b_wait"
                /\ IF pending[self]
                      THEN /\ pc' = [pc EXCEPT ![self] = "b_round"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "b_orphan"]
                /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, orphan, 
                                head, nextNode, status, stack, pe, te, si, ops, 
                                rd, all, bi, pending >>

b_orphan(self) == /\ pc[self] = "b_orphan"
                  /\ all' = [all EXCEPT ![self] = SpliceAll(all[self], orphan)]
                  /\ orphan' = EmptyBuckets
                  /\ pc' = [pc EXCEPT ![self] = "b_adv"]
                  /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, head, 
                                  nextNode, status, stack, pe, te, si, ops, rd, 
                                  bi, pending >>

b_adv(self) == /\ pc[self] = "b_adv"
               /\ IF all[self].nodes # {} /\ ~Expired(all[self].stamp, epoch)
                     THEN /\ pc' = [pc EXCEPT ![self] = "b_try"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "b_free"]
               /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, orphan, 
                               head, nextNode, status, stack, pe, te, si, ops, 
                               rd, all, bi, pending >>

b_try(self) == /\ pc[self] = "b_try"
               /\ /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "try_advance",
                                                           pc        |->  "b_adv",
                                                           si        |->  si[self],
                                                           te        |->  te[self] ] >>
                                                       \o stack[self]]
                  /\ te' = [te EXCEPT ![self] = epoch]
               /\ si' = [si EXCEPT ![self] = NT]
               /\ pc' = [pc EXCEPT ![self] = "ta_scan"]
               /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, orphan, 
                               head, nextNode, status, pe, ops, rd, all, bi, 
                               pending >>

b_free(self) == /\ pc[self] = "b_free"
                /\ status' = Free(status, all[self].nodes)
                /\ all' = [all EXCEPT ![self] = EmptyB]
                /\ pc' = [pc EXCEPT ![self] = "Done"]
                /\ UNCHANGED << epoch, state, flushReq, pinned, bucket, orphan, 
                                head, nextNode, stack, pe, te, si, ops, rd, bi, 
                                pending >>

bar(self) == b_start(self) \/ b_req(self) \/ b_round(self) \/ b_take(self)
                \/ b_splice(self) \/ b_clear(self) \/ b_unsteal(self)
                \/ b_flag(self) \/ b_wait(self) \/ b_orphan(self)
                \/ b_adv(self) \/ b_try(self) \/ b_free(self)

Next == col
           \/ (\E self \in ProcSet: pin(self) \/ try_advance(self))
           \/ (\E self \in Threads: thr(self))
           \/ (\E self \in BarrierSet: bar(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Threads : WF_vars(thr(self)) /\ WF_vars(pin(self)) /\ WF_vars(try_advance(self))
        /\ WF_vars(col) /\ WF_vars(try_advance(Col))
        /\ \A self \in BarrierSet : WF_vars(bar(self)) /\ WF_vars(try_advance(self))

\* END TRANSLATION 

(* ---- properties (need the process variables rd and all) ---- *)

BarrierNodes == UNION {all[b].nodes : b \in BarrierSet}
GarbageNodes == UNION {BucketNodes(bucket[t]) : t \in Threads}
                \cup BucketNodes(orphan) \cup BarrierNodes

\* No thread holds (can dereference) a node that has been freed.
SafeReclamation == \A t \in Threads : rd[t] # None => status[rd[t]] # "freed"

\* smr.h: "the global epoch cannot exceed p+1 while that thread is pinned".
EpochBound == \A t \in Threads : pinned[t] # NoEpoch => epoch <= pinned[t] + 1

\* Every retired node sits in exactly one bucket (no loss, no double free).
GarbageAccounted ==
    /\ \A n \in Nodes : status[n] = "retired" <=> n \in GarbageNodes
    /\ \A t \in Threads :
          BucketNodes(bucket[t]) \cap (BucketNodes(orphan) \cup BarrierNodes) = {}
    /\ \A t, u \in Threads : t # u => BucketNodes(bucket[t]) \cap BucketNodes(bucket[u]) = {}
    /\ BucketNodes(orphan) \cap BarrierNodes = {}

BucketsWellFormed ==
    \A bk \in {bucket[t] : t \in Threads} \cup {orphan} : \A i \in Slots :
        IF bk[i].nodes = {} THEN bk[i] = EmptyB ELSE bk[i].stamp % NB = i

TypeOK ==
    /\ epoch \in Nat
    /\ state \in [Threads -> {Idle, Steal} \cup Nat]
    /\ flushReq \in [Threads -> BOOLEAN]
    /\ head \in Nodes
    /\ status \in [Nodes -> {"fresh", "linked", "unlinked", "retired", "freed"}]

Quiescent == \A t \in Threads : ~IsActive(state[t])

\* Under weak fairness: once every thread stays outside its guards,
\* every retired node is eventually freed.
RetiredEventuallyFreed ==
    (<>[]Quiescent) => \A n \in Nodes : (status[n] = "retired") ~> (status[n] = "freed")
=============================================================================
