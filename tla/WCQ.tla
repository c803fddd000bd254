-------------------------------- MODULE WCQ --------------------------------
(***************************************************************************)
(* wCQ (src/queue/wcq.c): ONE index ring of libconcoll's wait-free queue, *)
(* at the granularity of its atomic steps (each 8- or 16-byte load, store, *)
(* CAS, FAA, fetch-or is one action).                                      *)
(*                                                                         *)
(*  - entry[p] = [lo |-> word, hi |-> note]; the word is the record        *)
(*    [c: cycle, s: SAFE, enq: ENQ, f: index | BOT | BOTC] (C packs it in  *)
(*    64 bits).  lo_cas / lo_or act on .lo, cc_cas128 on the whole entry. *)
(*  - ctr["H"], ctr["T"] = Head, Tail: [lo |-> counter, hi |-> phase-2    *)
(*    tag] (0: none).                                                     *)
(*  - loc[w]["T"/"H"] = local_tail / local_head of thread w's record:     *)
(*    [lo |-> [v, fin, inc], hi |-> request tag]  (C: v << 2 | FIN | INC). *)
(*  - req[w]: the announced request (seqlock req_begin .. req_end);       *)
(*    p2[w]: the phase-2 record (seqlock seq_begin .. seq_end).           *)
(*  - remap(): the identity for order 1 (slot_of), so Pos(t) = t mod N.   *)
(*                                                                         *)
(* Abstractions and merged actions (each argued where it is made):        *)
(*  - seqlock readers (help_record, phase2_confirm, enq_complete_for) read *)
(*    the record in one snapshot action: a reader that accepts            *)
(*    (begin = end) read one consistent version, so a snapshot at the     *)
(*    instant it read begin has the same outcome; one that rejects has no *)
(*    effect.  The phase-2 writer (slow_inc) writes its record in one     *)
(*    action, and announce() writes its local pair and the request in one *)
(*    action (nobody can tell the intermediate states apart).             *)
(*  - q->announced (and its FAAs) and help_tick/help_cursor are replaced   *)
(*    by a nondeterministic choice at each maybe_help(): help nobody, or   *)
(*    read one other thread's request and, if announced, run its slow loop *)
(*    (help_record).  This includes every behaviour of the C code.         *)
(*  - announce()'s CAS loop on the local pair is one store: once a        *)
(*    request has FIN no late helper's CAS can succeed on its pair (they  *)
(*    all expect FIN clear), so the owner's first CAS succeeds.  For the  *)
(*    same reason dequeue_slow()'s load of its own local_head is merged   *)
(*    into retire_request()'s store.                                      *)
(*  - the item data array is not modelled: the ring carries the values    *)
(*    (indices < n) directly; the model is one ring, used as a FIFO of    *)
(*    indices (ring_enqueue / ring_dequeue are the operations).           *)
(*                                                                         *)
(* Checked (MC_WCQ.cfg): FIFO linearizability (history of results and     *)
(* real-time order, brute force over the linearizations; the quiescent    *)
(* ring contents must be the final abstract queue, so a lost or doubled   *)
(* item fails it, and a dequeue's EMPTY must be justified), no index in   *)
(* two entries or returned twice (every state), and a step bound: every   *)
(* operation completes within StepBound of its own actions.               *)
(*                                                                         *)
(* OwnerReset = FALSE is wcq.c as written, and then Linearizable fails:   *)
(* when a helper completes an enqueue request (sets FIN) the owner        *)
(* returns without calling threshold_reset(), which only the helper does  *)
(* (enq_finish(), after FIN); a dequeue that starts after the enqueue     *)
(* returned can still read threshold < 0 and return RING_EMPTY.           *)
(* OwnerReset = TRUE adds threshold_reset() to enqueue_slow() after       *)
(* enq_slow_loop() (actions rfx1/rfx2), the fix checked in MC_WCQ.cfg.    *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, TLC

CONSTANTS
    NT,         \* threads
    Scenarios,  \* set of [init |-> items the ring starts with, prog |-> programs]:
                \* prog[w] = thread w's operations, [op |-> "enq"/"deq", v |-> index]
    n,          \* ring capacity (2^order); N = 2n entries
    PatEnq,     \* CC_WCQ_PATIENCE_ENQ
    PatDeq,     \* CC_WCQ_PATIENCE_DEQ
    Help,       \* whether maybe_help() may help (nondeterministically)
    StepBound,  \* each operation finishes within StepBound of its own actions
    OwnerReset  \* FALSE: as in wcq.c; TRUE: enqueue_slow() also calls threshold_reset() (fix)

VARIABLE steps  \* history variable: actions of the current operation of each thread

Threads == 1..NT
N == 2 * n
BOT == N - 1            \* bot(): empty, or taken
BOTC == N - 2           \* botc(): a dequeuer passed an empty entry
FULL == 3 * n - 1       \* threshold_reset()
CATCHUP == 8            \* CATCHUP_TRIES
Cyc(t) == t \div N      \* cycle_of()
Pos(t) == t % N         \* slot_of() (remap is the identity for order 1)
FEmpty(f) == f >= n     \* f_empty()
EMPTY == -1             \* RING_EMPTY
ENQOK == -3             \* result of an enqueue
NoRes == -2
KEnq == 1               \* REQ_ENQ
KDeq == 2               \* REQ_DEQ
KCtr(kind) == IF kind = KEnq THEN "T" ELSE "H"
\* phase-2 tag: ((record id + 1) << 40) | seq ; 0 means untagged
PT(w, s) == w * 1000 + s
PTId(pt) == pt \div 1000
PTSeq(pt) == pt % 1000
W(cy, sf, eq, fi) == [c |-> cy, s |-> sf, enq |-> eq, f |-> fi]   \* an entry word
L(val, fin, inc) == [v |-> val, fin |-> fin, inc |-> inc]        \* a local counter's lo
NoLo == W(0, FALSE, FALSE, 0)
NoEntry == [lo |-> NoLo, hi |-> 0]
NoCtr == [lo |-> 0, hi |-> 0]
NoLt == [w |-> 0, c |-> "T"]                                      \* p->local == NULL
NoP2 == [sb |-> 0, lt |-> NoLt, cnt |-> 0, tag |-> 0, se |-> 0]
NoLocal == [lo |-> L(0, FALSE, FALSE), hi |-> 0]
HelpSet(self) == IF Help THEN Threads \ {self} ELSE {}

\* The ring holding the items init (Len(init) <= n) after ring_init(): entries
\* of cycle 0, safe, empty (BOT); Head = N; init[i] at position N + i - 1 (cycle
\* 1) and Tail = N + Len(init).  init = <<>> is ring_init(full = false) (aq),
\* init = <<0, .., n-1>> is ring_init(full = true) (fq); others are the states
\* after Len(init) fast-path enqueues (threshold reset to 3n - 1).
EntriesOf(init) ==
    [pp \in 0..N-1 |->
        IF \E i \in 1..Len(init) : Pos(N + i - 1) = pp
        THEN [lo |-> W(Cyc(N), TRUE, TRUE, init[CHOOSE i \in 1..Len(init) : Pos(N + i - 1) = pp]),
              hi |-> 0]
        ELSE [lo |-> W(0, TRUE, TRUE, BOT), hi |-> 0]]
TailOf(init) == N + Len(init)
ThresholdOf(init) == IF init = << >> THEN -1 ELSE FULL

ASSUME \A sc \in Scenarios : Len(sc.prog) = NT /\ Len(sc.init) <= n

(* --algorithm WCQ {
variables
    sc \in Scenarios;                   \* the scenario checked (constant in a behaviour)
    entry = EntriesOf(sc.init);
    ctr = [cc \in {"H", "T"} |-> [lo |-> IF cc = "H" THEN N ELSE TailOf(sc.init), hi |-> 0]];
    threshold = ThresholdOf(sc.init);
    loc = [ww \in Threads |-> [cc \in {"H", "T"} |-> NoLocal]];
    req = [ww \in Threads |-> [b |-> 0, kind |-> 0, idx |-> 0, init |-> 0, e |-> 0]];
    p2 = [ww \in Threads |-> NoP2];
    p2seq = [ww \in Threads |-> 0];     \* phase2_seq (owner only)
    \* history: invd[w][i] = operations complete when op i of w was invoked
    invd = [ww \in Threads |-> [i \in 1..Len(sc.prog[ww]) |-> {}]];
    res = [ww \in Threads |-> [i \in 1..Len(sc.prog[ww]) |-> NoRes]];
    done = {};

define {
    Prog == sc.prog
}

\* response of the current operation, then invocation of the next one
macro Respond(rv) {
    res[self][k] := rv;
    done := done \cup {<<self, k>>};
    k := k + 1;
    x := 0; e := NoLo; ne := NoLo; pat := 0; ct := 0; ch := 0; tries := 0;
    if (k > Len(Prog[self])) goto Done else goto op;
}

\* enq_slow_try(): the loop body on entry p at position t = pv.v
macro EnqDecide() {
    if (p.lo.c = Cyc(pv.v) /\ p.lo.f # BOTC) {
        \* only this request holds t: the item is ours -> enq_finish(e = p.lo)
        nw := p.lo; goto ef0;
    } else if (p.lo.c >= Cyc(pv.v) \/ p.hi >= Cyc(pv.v)) {
        goto si0;   \* passed, or another helper skipped it: next slow_inc()
    } else if (FEmpty(p.lo.f) /\ p.lo.s) {
        goto et2;
    } else if (FEmpty(p.lo.f)) {
        goto et1;   \* unsafe: diff(lo_load(&r->head), t) <= 0 ?
    } else {
        goto et3;
    };
}

\* deq_slow_try(): the loop body on entry p at position h = pv.v
macro DeqDecide() {
    if (p.lo.c = Cyc(pv.v) /\ p.lo.f # BOTC) {
        goto dfin;   \* the request's item is at h: set_fin()
    } else if (p.lo.c >= Cyc(pv.v)) {
        goto dtl;
    } else if (~FEmpty(p.lo.f)) {
        \* an older item: note the entry, then make it unsafe
        if (p.hi < Cyc(pv.v)) {
            goto dnote;
        } else if (~p.lo.s) {
            goto dtl;
        } else {
            nw := [p.lo EXCEPT !.s = FALSE]; goto dcas;
        };
    } else {
        nw := W(Cyc(pv.v), p.lo.s, TRUE, BOTC); goto dcas;
    };
}

\* ring_enqueue(), patience pt left: patience 0: t = lo_load(&r->tail);
\* else STEP; t = lo_faa(&r->tail, 1) and enq_fast_try()
macro EnqStart(pt) {
    x := ctr["T"].lo;
    if (pt = 0) {
        goto res0;
    } else {
        ctr["T"].lo := ctr["T"].lo + 1; pat := pt - 1; goto ref0;
    };
}

\* enq_fast_try() on word e at position x
macro EnqFastDecide() {
    if (~(e.c < Cyc(x) /\ FEmpty(e.f))) {
        if (pat > 0) goto re1 else goto res0;   \* false: next position or slow path
    } else if (e.s) {
        goto ref2;
    } else {
        goto ref1;
    };
}

\* deq_fast_try() on word e at position x (the do-while loop body)
macro DeqFastDecide() {
    if (e.c = Cyc(x)) {
        if (~e.enq) goto rdfc else goto rdfo;
    } else if (~FEmpty(e.f)) {
        if (~e.s) goto rdft;    \* nw == e: break
        else if (e.c < Cyc(x)) { ne := [e EXCEPT !.s = FALSE]; goto rdfcas }
        else goto rdft;
    } else if (e.c < Cyc(x)) {
        ne := W(Cyc(x), e.s, TRUE, BOTC); goto rdfcas;
    } else {
        goto rdft;
    };
}

(***************************************************************************)
(* enq_slow_loop() / deq_slow_loop() for request (w, tg) on counter c      *)
(* ("T": enqueue of index ix, "H": dequeue), with slow_inc(),             *)
(* phase2_settle(), phase2_confirm(), enq_slow_try(), enq_finish(),        *)
(* threshold_reset(), deq_slow_try(), catchup(), set_fin() inlined.        *)
(* pv is *prev (the local counter's lo last seen), initially init|INC.     *)
(***************************************************************************)
procedure slow_loop(c, w, tg, ix, pv)
variables cnt = 0, g = NoCtr, cr = NoP2, p = NoEntry, nw = NoLo,
          sct = 0, sch = 0, stries = 0;
{
si0:  \* slow_inc() -> phase2_settle(): g = cc_load128(global)
      p := NoEntry; nw := NoLo; sct := 0; sch := 0; stries := 0;
      with (gg = ctr[c]) {
          if (gg.hi # 0) { g := gg; goto si1 } else { cnt := gg.lo; goto si3 };
      };
si1:  \* phase2_settle() -> phase2_confirm(g.hi): read the phase-2 record (seqlock)
      with (r = p2[PTId(g.hi)]) {
          if (r.sb = r.se /\ r.se = PTSeq(g.hi) /\ r.lt # NoLt) { cr := r; goto si2 }
          else goto si2b;
      };
si2:  \* phase2_confirm(): cc_cas128(local, {cnt|INC, tag}, {cnt, tag})
      if (loc[cr.lt.w][cr.lt.c] = [lo |-> L(cr.cnt, FALSE, TRUE), hi |-> cr.tag]) {
          loc[cr.lt.w][cr.lt.c].lo.inc := FALSE;
      };
      cr := NoP2;
si2b: \* phase2_settle(): cc_cas128(global, g, {g.lo, 0}); a failure reloads g
      if (ctr[c] = g) {
          ctr[c].hi := 0; cnt := g.lo; g := NoCtr; goto si3;
      } else with (gg = ctr[c]) {
          if (gg.hi # 0) { g := gg; goto si1 } else { cnt := gg.lo; g := NoCtr; goto si3 };
      };
si3:  \* slow_inc(): cc_cas128(local, {prev, tag}, {cnt|INC, tag})
      if (loc[w][c] = [lo |-> pv, hi |-> tg]) {
          loc[w][c].lo := L(cnt, FALSE, TRUE); pv := L(cnt, FALSE, TRUE); goto si4;
      } else with (ex = loc[w][c]) {
          if (ex.hi # tg \/ ex.lo.fin) {
              return;                                  \* complete (FIN) or over: false
          } else if (~ex.lo.inc) {
              pv := ex.lo; cnt := 0;                   \* a helper took a value for us
              if (c = "T") goto et0 else goto dt0;
          } else {
              pv := ex.lo; cnt := ex.lo.v; goto si4;   \* publish the reserved value
          };
      };
si4:  \* slow_inc(): ++phase2_seq; store seq_begin, local, cnt, tag, seq_end
      \* (one action: a reader that reads between seq_begin and seq_end
      \* rejects; it would reject the completed record too, since the global
      \* tag it holds is the record's previous seq or older)
      p2seq[self] := p2seq[self] + 1;
      p2[self] := [sb |-> p2seq[self], lt |-> [w |-> w, c |-> c],
                   cnt |-> cnt, tag |-> tg, se |-> p2seq[self]];
si6:  \* slow_inc(): cc_cas128(global, {cnt, 0}, {cnt + 1, ptag}); failure: continue
      if (ctr[c] = [lo |-> cnt, hi |-> 0]) {
          ctr[c] := [lo |-> cnt + 1, hi |-> PT(self, p2seq[self])];
          if (c = "H") goto si7 else goto si8;
      } else {
          goto si0;
      };
si7:  \* slow_inc(): is_head: atomic_fetch_sub(&r->threshold, 1)
      threshold := threshold - 1;
si8:  \* slow_inc(): cc_cas128(local, {cnt|INC, tag}, {cnt, tag})
      if (loc[w][c] = [lo |-> L(cnt, FALSE, TRUE), hi |-> tg]) {
          loc[w][c].lo.inc := FALSE;
      };
si9:  \* slow_inc(): cc_cas128(global, {cnt + 1, ptag}, {cnt + 1, 0}); return true
      if (ctr[c] = [lo |-> cnt + 1, hi |-> PT(self, p2seq[self])]) {
          ctr[c].hi := 0;
      };
      pv := L(cnt, FALSE, FALSE); cnt := 0;
      if (c = "T") goto et0 else goto dt0;

      \* ---- enq_slow_try(t = pv.v, idx = ix) ----
et0:  \* enq_slow_try(): p = cc_load128(slot)
      p := entry[Pos(pv.v)];
      EnqDecide();
et1:  \* enq_slow_try(): diff(lo_load(&r->head), t) <= 0
      if (ctr["H"].lo <= pv.v) goto et2 else goto et3;
et2:  \* enq_slow_try(): cc_cas128(slot, p, {tcycle | SAFE | idx (ENQ clear), p.hi})
      if (entry[Pos(pv.v)] = p) {
          entry[Pos(pv.v)].lo := W(Cyc(pv.v), TRUE, FALSE, ix);
          nw := W(Cyc(pv.v), TRUE, FALSE, ix); goto ef0;
      } else {
          p := entry[Pos(pv.v)]; EnqDecide();
      };
et3:  \* enq_slow_try(): cc_cas128(slot, p, {p.lo, tcycle}) (note: no helper inserts here)
      if (entry[Pos(pv.v)] = p) {
          entry[Pos(pv.v)].hi := Cyc(pv.v); goto si0;
      } else {
          p := entry[Pos(pv.v)]; EnqDecide();
      };
ef0:  \* enq_finish(): cc_cas128(&w->local_tail, {t, tag}, {t|FIN, tag}) first ...
      p := NoEntry;
      if (loc[w]["T"] = [lo |-> L(pv.v, FALSE, FALSE), hi |-> tg]) {
          loc[w]["T"].lo.fin := TRUE;
          if (~nw.enq /\ ~FEmpty(nw.f)) goto ef1 else goto ef2;
      } else {
          goto ef2;
      };
ef1:  \* enq_finish(): ... then lo_cas(slot, e, e | ENQ)
      if (entry[Pos(pv.v)].lo = nw) {
          entry[Pos(pv.v)].lo.enq := TRUE;
      };
      nw := NoLo;
ef2:  \* enq_finish() -> threshold_reset(): atomic_load(&r->threshold) != full
      nw := NoLo;
      if (threshold # FULL) goto ef3 else goto si0;
ef3:  \* threshold_reset(): atomic_store(&r->threshold, full)
      threshold := FULL;
      goto si0;

      \* ---- deq_slow_try(h = pv.v) ----
dt0:  \* deq_slow_try(): p = cc_load128(slot)
      p := entry[Pos(pv.v)];
      DeqDecide();
dnote: \* deq_slow_try(): cc_cas128(slot, p, {p.lo, hcycle}); failure: continue
      if (entry[Pos(pv.v)] = p) {
          entry[Pos(pv.v)].hi := Cyc(pv.v); p.hi := Cyc(pv.v);
          if (~p.lo.s) goto dtl
          else { nw := [p.lo EXCEPT !.s = FALSE]; goto dcas };
      } else {
          p := entry[Pos(pv.v)]; DeqDecide();
      };
dcas: \* deq_slow_try(): cc_cas128(slot, p, nw) (unsafe, or BOTC); failure: loop
      if (entry[Pos(pv.v)] = p) {
          entry[Pos(pv.v)].lo := nw; goto dtl;
      } else {
          p := entry[Pos(pv.v)]; DeqDecide();
      };
dtl:  \* deq_slow_try(): t = lo_load(&r->tail); diff(t, h + 1) <= 0 ?
      p := NoEntry; nw := NoLo;
      if (ctr["T"].lo <= pv.v + 1) { sct := ctr["T"].lo; sch := pv.v + 1; stries := CATCHUP; goto dcu }
      else goto dth;
dcu:  \* catchup(): lo_cas(&r->tail, &tail, head) (keeps the tag half)
      if (ctr["T"].lo = sct) { ctr["T"].lo := sch; sct := 0; sch := 0; stries := 0; goto dfin }
      else if (stries > 1) { stries := stries - 1; goto dcu1 }
      else { sct := 0; sch := 0; stries := 0; goto dfin };
dcu1: \* catchup(): head = lo_load(&r->head)
      sch := ctr["H"].lo;
dcu2: \* catchup(): tail = lo_load(&r->tail); if (diff(tail, head) >= 0) break
      if (ctr["T"].lo >= sch) { sct := 0; sch := 0; stries := 0; goto dfin }
      else { sct := ctr["T"].lo; goto dcu };
dth:  \* deq_slow_try(): atomic_load(&r->threshold) < 0 -> set_fin
      if (threshold < 0) goto dfin else goto si0;
dfin: \* set_fin(&w->local_head, h, tag): cc_cas128({h, tag}, {h|FIN, tag})
      if (loc[w]["H"] = [lo |-> L(pv.v, FALSE, FALSE), hi |-> tg]) {
          loc[w]["H"].lo.fin := TRUE;
      };
      goto si0;
}

(***************************************************************************)
(* enq_complete_for(r, t): a dequeuer met an item with ENQ clear at t:     *)
(* find the enqueue request holding t and set its FIN.                     *)
(***************************************************************************)
procedure enq_complete_for(ht)
variables rr = 1, lc = NoLocal;
{
ec0:  \* enq_complete_for(): loc = cc_load128(&w->local_tail) of record rr
      with (l = loc[rr]["T"]) {
          if (l.lo = L(ht, FALSE, FALSE)) { lc := l; goto ec1 }
          else if (rr < NT) { rr := rr + 1; goto ec0 }
          else return;
      };
ec1:  \* enq_complete_for(): req_end, ring, kind, req_begin (seqlock snapshot)
      if (req[rr].e = lc.hi /\ req[rr].kind = KEnq /\ req[rr].b = req[rr].e) {
          goto ec2;
      } else if (rr < NT) {
          rr := rr + 1; lc := NoLocal; goto ec0;
      } else {
          return;
      };
ec2:  \* enq_complete_for() -> set_fin(&w->local_tail, t, end)
      if (loc[rr]["T"] = [lo |-> L(ht, FALSE, FALSE), hi |-> lc.hi]) {
          loc[rr]["T"].lo.fin := TRUE;
      };
      return;
}

(***************************************************************************)
(* A thread: its operations in turn (ring_enqueue / ring_dequeue).        *)
(***************************************************************************)
fair process (th \in Threads)
variables k = 1, ntag = 0, x = 0, e = NoLo, ne = NoLo, pat = 0,
          ct = 0, ch = 0, tries = 0;
{
op:   \* invocation of operation k (history)
      invd[self][k] := done;
      if (Prog[self][k].op = "enq") {
          \* ring_enqueue(): maybe_help(): help nobody, or help_record(j):
          \* read j's request (seqlock snapshot) and work on it until complete
          \* (helping nobody, this action is re1's first action on Tail)
          with (j \in {0} \cup HelpSet(self)) {
              if (j # 0 /\ req[j].b = req[j].e /\ req[j].kind # 0) {
                  pat := PatEnq;
                  call slow_loop(KCtr(req[j].kind), j, req[j].e, req[j].idx,
                                 L(req[j].init, FALSE, TRUE));
                  goto re1;
              } else if (j # 0) {
                  pat := PatEnq; goto re1;
              } else {
                  EnqStart(PatEnq);
              };
          };
      } else {
          \* ring_dequeue(): if (atomic_load(&r->threshold) < 0) return RING_EMPTY
          if (threshold < 0) {
              Respond(EMPTY);
          } else {
              pat := PatDeq;
              if (HelpSet(self) # {}) { either goto rd1 or goto rdh }
              else goto rd1;
          };
      };

      \* ---- ring_enqueue(idx = Prog[self][k].v) ----
re1:  \* ring_enqueue(): patience 0: t = lo_load(&r->tail); else STEP; t = lo_faa(&r->tail, 1)
      EnqStart(pat);
ref0: \* enq_fast_try(): e = lo_load(slot)
      e := entry[Pos(x)].lo;
      EnqFastDecide();
ref1: \* enq_fast_try(): diff(lo_load(&r->head), t) <= 0
      if (ctr["H"].lo <= x) goto ref2
      else if (pat > 0) goto re1
      else goto res0;
ref2: \* enq_fast_try(): lo_cas(slot, &e, tcycle | SAFE | ENQ | idx)
      if (entry[Pos(x)].lo = e) {
          entry[Pos(x)].lo := W(Cyc(x), TRUE, TRUE, Prog[self][k].v);
          goto rtr;
      } else {
          e := entry[Pos(x)].lo; EnqFastDecide();
      };
rtr:  \* ring_enqueue() -> threshold_reset(): atomic_load
      if (threshold # FULL) goto rtr2 else Respond(ENQOK);
rtr2: \* threshold_reset(): atomic_store
      threshold := FULL;
      Respond(ENQOK);
res0: \* enqueue_slow() -> announce(): cc_cas128(local_tail, cur, {t << 2 | INC, tag}),
      \* then req_begin, ring, kind, idx, init, req_end; enq_slow_loop().
      \* One action: until req_end is written nobody can know the new tag, and
      \* the new pair {t|INC, tag} matches no other thread's CAS or test
      \* (enq_complete_for wants flags clear), so the two are not told apart.
      ntag := ntag + 1;
      loc[self]["T"] := [lo |-> L(x, FALSE, TRUE), hi |-> ntag];
      req[self] := [b |-> ntag, kind |-> KEnq, idx |-> Prog[self][k].v, init |-> x, e |-> ntag];
      call slow_loop("T", self, ntag, Prog[self][k].v, L(x, FALSE, TRUE));
rfx1: \* NOT IN THE C CODE (OwnerReset = TRUE only): the proposed fix,
      \* threshold_reset(r) by the owner after enq_slow_loop(): load ...
      \* (OwnerReset = FALSE: this action is res2's retire_request() below)
      if (~OwnerReset) { req[self].b := ntag + 1; Respond(ENQOK) }
      else if (threshold # FULL) goto rfx2
      else goto res2;
rfx2: \* ... and store
      threshold := FULL;
res2: \* enqueue_slow() -> retire_request(): req_begin = tag + 1
      req[self].b := ntag + 1;
      Respond(ENQOK);

      \* ---- ring_dequeue() ----
rdh:  \* maybe_help() -> help_record(j): read j's request (seqlock snapshot)
      with (j \in HelpSet(self)) {
          if (req[j].b = req[j].e /\ req[j].kind # 0) {
              call slow_loop(KCtr(req[j].kind), j, req[j].e, req[j].idx,
                             L(req[j].init, FALSE, TRUE));
              goto rd1;
          } else {
              goto rd1;
          };
      };
rd1:  \* ring_dequeue(): patience 0: h = lo_load(&r->head); else STEP; h = lo_faa(&r->head, 1)
      x := ctr["H"].lo;
      if (pat = 0) {
          goto rds0;
      } else {
          ctr["H"].lo := ctr["H"].lo + 1; pat := pat - 1;
      };
rdf0: \* deq_fast_try(): e = lo_load(slot)
      e := entry[Pos(x)].lo;
      DeqFastDecide();
rdfcas: \* deq_fast_try(): lo_cas(slot, &e, nw); failure: loop
      if (entry[Pos(x)].lo = e) {
          entry[Pos(x)].lo := ne; goto rdft;
      } else {
          e := entry[Pos(x)].lo; DeqFastDecide();
      };
rdfc: \* deq_fast_try(): ENQ clear -> enq_complete_for(r, h)
      call enq_complete_for(x);
rdfo: \* deq_fast_try(): lo_or(slot, BOT | ENQ); return e & fmask
      entry[Pos(x)].lo := [entry[Pos(x)].lo EXCEPT !.f = BOT, !.enq = TRUE];
      Respond(e.f);
rdft: \* deq_fast_try(): t = lo_load(&r->tail); diff(t, h + 1) <= 0 ?
      if (ctr["T"].lo <= x + 1) { ct := ctr["T"].lo; ch := x + 1; tries := CATCHUP; goto rdcu }
      else goto rdth;
rdcu: \* catchup(): lo_cas(&r->tail, &tail, head)
      if (ctr["T"].lo = ct) { ctr["T"].lo := ch; goto rdcx }
      else if (tries > 1) { tries := tries - 1; goto rdcu1 }
      else goto rdcx;
rdcu1: \* catchup(): head = lo_load(&r->head)
      ch := ctr["H"].lo;
rdcu2: \* catchup(): tail = lo_load(&r->tail); if (diff(tail, head) >= 0) break
      if (ctr["T"].lo >= ch) goto rdcx
      else { ct := ctr["T"].lo; goto rdcu };
rdcx: \* deq_fast_try(): atomic_fetch_sub(&r->threshold, 1); return RING_EMPTY
      threshold := threshold - 1;
      Respond(EMPTY);
rdth: \* deq_fast_try(): atomic_fetch_sub(&r->threshold, 1) <= 0 ? RING_EMPTY : DEQ_AGAIN
      with (old = threshold) {
          threshold := old - 1;
          if (old <= 0) { Respond(EMPTY) }
          else if (pat > 0) goto rd1
          else goto rds0;
      };
rds0: \* dequeue_slow() -> announce(): cc_cas128(local_head, cur, {h << 2 | INC, tag}),
      \* then req_begin, ring, kind, idx, init, req_end; deq_slow_loop()
      \* (one action, as in res0)
      ntag := ntag + 1;
      loc[self]["H"] := [hi |-> ntag, lo |-> L(x, FALSE, TRUE)];
      req[self] := [b |-> ntag, kind |-> KDeq, idx |-> 0, init |-> x, e |-> ntag];
      call slow_loop("H", self, ntag, 0, L(x, FALSE, TRUE));
rds2: \* dequeue_slow() -> retire_request(): req_begin = tag + 1; then
      \* loc = cc_load128(&w->local_head); h = loc.lo >> 2 -- merged: once FIN
      \* is set no CAS of any helper can succeed on the pair (all expect FIN
      \* clear), so the load returns the same value whenever it runs
      req[self].b := ntag + 1;
      x := loc[self]["H"].lo.v;
rds4: \* dequeue_slow(): e = lo_load(slot); an item of h's cycle ?
      with (ee = entry[Pos(x)].lo) {
          if (ee.c = Cyc(x) /\ ~FEmpty(ee.f)) {
              e := ee;
              if (~ee.enq) goto rds5 else goto rdfo;
          } else {
              Respond(EMPTY);
          };
      };
rds5: \* dequeue_slow(): ENQ clear -> enq_complete_for(r, h); then lo_or (rdfo)
      call enq_complete_for(x);
      goto rdfo;
}
} *)
\* BEGIN TRANSLATION
CONSTANT defaultInitValue
VARIABLES sc, entry, ctr, threshold, loc, req, p2, p2seq, invd, res, done, pc, 
          stack

(* define statement *)
Prog == sc.prog

VARIABLES c, w, tg, ix, pv, cnt, g, cr, p, nw, sct, sch, stries, ht, rr, lc, 
          k, ntag, x, e, ne, pat, ct, ch, tries

vars == << sc, entry, ctr, threshold, loc, req, p2, p2seq, invd, res, done, 
           pc, stack, c, w, tg, ix, pv, cnt, g, cr, p, nw, sct, sch, stries, 
           ht, rr, lc, k, ntag, x, e, ne, pat, ct, ch, tries >>

ProcSet == (Threads)

Init == (* Global variables *)
        /\ sc \in Scenarios
        /\ entry = EntriesOf(sc.init)
        /\ ctr = [cc \in {"H", "T"} |-> [lo |-> IF cc = "H" THEN N ELSE TailOf(sc.init), hi |-> 0]]
        /\ threshold = ThresholdOf(sc.init)
        /\ loc = [ww \in Threads |-> [cc \in {"H", "T"} |-> NoLocal]]
        /\ req = [ww \in Threads |-> [b |-> 0, kind |-> 0, idx |-> 0, init |-> 0, e |-> 0]]
        /\ p2 = [ww \in Threads |-> NoP2]
        /\ p2seq = [ww \in Threads |-> 0]
        /\ invd = [ww \in Threads |-> [i \in 1..Len(sc.prog[ww]) |-> {}]]
        /\ res = [ww \in Threads |-> [i \in 1..Len(sc.prog[ww]) |-> NoRes]]
        /\ done = {}
        (* Procedure slow_loop *)
        /\ c = [ self \in ProcSet |-> defaultInitValue]
        /\ w = [ self \in ProcSet |-> defaultInitValue]
        /\ tg = [ self \in ProcSet |-> defaultInitValue]
        /\ ix = [ self \in ProcSet |-> defaultInitValue]
        /\ pv = [ self \in ProcSet |-> defaultInitValue]
        /\ cnt = [ self \in ProcSet |-> 0]
        /\ g = [ self \in ProcSet |-> NoCtr]
        /\ cr = [ self \in ProcSet |-> NoP2]
        /\ p = [ self \in ProcSet |-> NoEntry]
        /\ nw = [ self \in ProcSet |-> NoLo]
        /\ sct = [ self \in ProcSet |-> 0]
        /\ sch = [ self \in ProcSet |-> 0]
        /\ stries = [ self \in ProcSet |-> 0]
        (* Procedure enq_complete_for *)
        /\ ht = [ self \in ProcSet |-> defaultInitValue]
        /\ rr = [ self \in ProcSet |-> 1]
        /\ lc = [ self \in ProcSet |-> NoLocal]
        (* Process th *)
        /\ k = [self \in Threads |-> 1]
        /\ ntag = [self \in Threads |-> 0]
        /\ x = [self \in Threads |-> 0]
        /\ e = [self \in Threads |-> NoLo]
        /\ ne = [self \in Threads |-> NoLo]
        /\ pat = [self \in Threads |-> 0]
        /\ ct = [self \in Threads |-> 0]
        /\ ch = [self \in Threads |-> 0]
        /\ tries = [self \in Threads |-> 0]
        /\ stack = [self \in ProcSet |-> << >>]
        /\ pc = [self \in ProcSet |-> "op"]

si0(self) == /\ pc[self] = "si0"
             /\ p' = [p EXCEPT ![self] = NoEntry]
             /\ nw' = [nw EXCEPT ![self] = NoLo]
             /\ sct' = [sct EXCEPT ![self] = 0]
             /\ sch' = [sch EXCEPT ![self] = 0]
             /\ stries' = [stries EXCEPT ![self] = 0]
             /\ LET gg == ctr[c[self]] IN
                  IF gg.hi # 0
                     THEN /\ g' = [g EXCEPT ![self] = gg]
                          /\ pc' = [pc EXCEPT ![self] = "si1"]
                          /\ cnt' = cnt
                     ELSE /\ cnt' = [cnt EXCEPT ![self] = gg.lo]
                          /\ pc' = [pc EXCEPT ![self] = "si3"]
                          /\ g' = g
             /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                             invd, res, done, stack, c, w, tg, ix, pv, cr, ht, 
                             rr, lc, k, ntag, x, e, ne, pat, ct, ch, tries >>

si1(self) == /\ pc[self] = "si1"
             /\ LET r == p2[PTId(g[self].hi)] IN
                  IF r.sb = r.se /\ r.se = PTSeq(g[self].hi) /\ r.lt # NoLt
                     THEN /\ cr' = [cr EXCEPT ![self] = r]
                          /\ pc' = [pc EXCEPT ![self] = "si2"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "si2b"]
                          /\ cr' = cr
             /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                             invd, res, done, stack, c, w, tg, ix, pv, cnt, g, 
                             p, nw, sct, sch, stries, ht, rr, lc, k, ntag, x, 
                             e, ne, pat, ct, ch, tries >>

si2(self) == /\ pc[self] = "si2"
             /\ IF loc[cr[self].lt.w][cr[self].lt.c] = [lo |-> L(cr[self].cnt, FALSE, TRUE), hi |-> cr[self].tag]
                   THEN /\ loc' = [loc EXCEPT ![cr[self].lt.w][cr[self].lt.c].lo.inc = FALSE]
                   ELSE /\ TRUE
                        /\ loc' = loc
             /\ cr' = [cr EXCEPT ![self] = NoP2]
             /\ pc' = [pc EXCEPT ![self] = "si2b"]
             /\ UNCHANGED << sc, entry, ctr, threshold, req, p2, p2seq, invd, 
                             res, done, stack, c, w, tg, ix, pv, cnt, g, p, nw, 
                             sct, sch, stries, ht, rr, lc, k, ntag, x, e, ne, 
                             pat, ct, ch, tries >>

si2b(self) == /\ pc[self] = "si2b"
              /\ IF ctr[c[self]] = g[self]
                    THEN /\ ctr' = [ctr EXCEPT ![c[self]].hi = 0]
                         /\ cnt' = [cnt EXCEPT ![self] = g[self].lo]
                         /\ g' = [g EXCEPT ![self] = NoCtr]
                         /\ pc' = [pc EXCEPT ![self] = "si3"]
                    ELSE /\ LET gg == ctr[c[self]] IN
                              IF gg.hi # 0
                                 THEN /\ g' = [g EXCEPT ![self] = gg]
                                      /\ pc' = [pc EXCEPT ![self] = "si1"]
                                      /\ cnt' = cnt
                                 ELSE /\ cnt' = [cnt EXCEPT ![self] = gg.lo]
                                      /\ g' = [g EXCEPT ![self] = NoCtr]
                                      /\ pc' = [pc EXCEPT ![self] = "si3"]
                         /\ ctr' = ctr
              /\ UNCHANGED << sc, entry, threshold, loc, req, p2, p2seq, invd, 
                              res, done, stack, c, w, tg, ix, pv, cr, p, nw, 
                              sct, sch, stries, ht, rr, lc, k, ntag, x, e, ne, 
                              pat, ct, ch, tries >>

si3(self) == /\ pc[self] = "si3"
             /\ IF loc[w[self]][c[self]] = [lo |-> pv[self], hi |-> tg[self]]
                   THEN /\ loc' = [loc EXCEPT ![w[self]][c[self]].lo = L(cnt[self], FALSE, TRUE)]
                        /\ pv' = [pv EXCEPT ![self] = L(cnt[self], FALSE, TRUE)]
                        /\ pc' = [pc EXCEPT ![self] = "si4"]
                        /\ UNCHANGED << stack, c, w, tg, ix, cnt, g, cr, p, nw, 
                                        sct, sch, stries >>
                   ELSE /\ LET ex == loc[w[self]][c[self]] IN
                             IF ex.hi # tg[self] \/ ex.lo.fin
                                THEN /\ pc' = [pc EXCEPT ![self] = Head(stack[self]).pc]
                                     /\ cnt' = [cnt EXCEPT ![self] = Head(stack[self]).cnt]
                                     /\ g' = [g EXCEPT ![self] = Head(stack[self]).g]
                                     /\ cr' = [cr EXCEPT ![self] = Head(stack[self]).cr]
                                     /\ p' = [p EXCEPT ![self] = Head(stack[self]).p]
                                     /\ nw' = [nw EXCEPT ![self] = Head(stack[self]).nw]
                                     /\ sct' = [sct EXCEPT ![self] = Head(stack[self]).sct]
                                     /\ sch' = [sch EXCEPT ![self] = Head(stack[self]).sch]
                                     /\ stries' = [stries EXCEPT ![self] = Head(stack[self]).stries]
                                     /\ c' = [c EXCEPT ![self] = Head(stack[self]).c]
                                     /\ w' = [w EXCEPT ![self] = Head(stack[self]).w]
                                     /\ tg' = [tg EXCEPT ![self] = Head(stack[self]).tg]
                                     /\ ix' = [ix EXCEPT ![self] = Head(stack[self]).ix]
                                     /\ pv' = [pv EXCEPT ![self] = Head(stack[self]).pv]
                                     /\ stack' = [stack EXCEPT ![self] = Tail(stack[self])]
                                ELSE /\ IF ~ex.lo.inc
                                           THEN /\ pv' = [pv EXCEPT ![self] = ex.lo]
                                                /\ cnt' = [cnt EXCEPT ![self] = 0]
                                                /\ IF c[self] = "T"
                                                      THEN /\ pc' = [pc EXCEPT ![self] = "et0"]
                                                      ELSE /\ pc' = [pc EXCEPT ![self] = "dt0"]
                                           ELSE /\ pv' = [pv EXCEPT ![self] = ex.lo]
                                                /\ cnt' = [cnt EXCEPT ![self] = ex.lo.v]
                                                /\ pc' = [pc EXCEPT ![self] = "si4"]
                                     /\ UNCHANGED << stack, c, w, tg, ix, g, 
                                                     cr, p, nw, sct, sch, 
                                                     stries >>
                        /\ loc' = loc
             /\ UNCHANGED << sc, entry, ctr, threshold, req, p2, p2seq, invd, 
                             res, done, ht, rr, lc, k, ntag, x, e, ne, pat, ct, 
                             ch, tries >>

si4(self) == /\ pc[self] = "si4"
             /\ p2seq' = [p2seq EXCEPT ![self] = p2seq[self] + 1]
             /\ p2' = [p2 EXCEPT ![self] = [sb |-> p2seq'[self], lt |-> [w |-> w[self], c |-> c[self]],
                                            cnt |-> cnt[self], tag |-> tg[self], se |-> p2seq'[self]]]
             /\ pc' = [pc EXCEPT ![self] = "si6"]
             /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, invd, res, 
                             done, stack, c, w, tg, ix, pv, cnt, g, cr, p, nw, 
                             sct, sch, stries, ht, rr, lc, k, ntag, x, e, ne, 
                             pat, ct, ch, tries >>

si6(self) == /\ pc[self] = "si6"
             /\ IF ctr[c[self]] = [lo |-> cnt[self], hi |-> 0]
                   THEN /\ ctr' = [ctr EXCEPT ![c[self]] = [lo |-> cnt[self] + 1, hi |-> PT(self, p2seq[self])]]
                        /\ IF c[self] = "H"
                              THEN /\ pc' = [pc EXCEPT ![self] = "si7"]
                              ELSE /\ pc' = [pc EXCEPT ![self] = "si8"]
                   ELSE /\ pc' = [pc EXCEPT ![self] = "si0"]
                        /\ ctr' = ctr
             /\ UNCHANGED << sc, entry, threshold, loc, req, p2, p2seq, invd, 
                             res, done, stack, c, w, tg, ix, pv, cnt, g, cr, p, 
                             nw, sct, sch, stries, ht, rr, lc, k, ntag, x, e, 
                             ne, pat, ct, ch, tries >>

si7(self) == /\ pc[self] = "si7"
             /\ threshold' = threshold - 1
             /\ pc' = [pc EXCEPT ![self] = "si8"]
             /\ UNCHANGED << sc, entry, ctr, loc, req, p2, p2seq, invd, res, 
                             done, stack, c, w, tg, ix, pv, cnt, g, cr, p, nw, 
                             sct, sch, stries, ht, rr, lc, k, ntag, x, e, ne, 
                             pat, ct, ch, tries >>

si8(self) == /\ pc[self] = "si8"
             /\ IF loc[w[self]][c[self]] = [lo |-> L(cnt[self], FALSE, TRUE), hi |-> tg[self]]
                   THEN /\ loc' = [loc EXCEPT ![w[self]][c[self]].lo.inc = FALSE]
                   ELSE /\ TRUE
                        /\ loc' = loc
             /\ pc' = [pc EXCEPT ![self] = "si9"]
             /\ UNCHANGED << sc, entry, ctr, threshold, req, p2, p2seq, invd, 
                             res, done, stack, c, w, tg, ix, pv, cnt, g, cr, p, 
                             nw, sct, sch, stries, ht, rr, lc, k, ntag, x, e, 
                             ne, pat, ct, ch, tries >>

si9(self) == /\ pc[self] = "si9"
             /\ IF ctr[c[self]] = [lo |-> cnt[self] + 1, hi |-> PT(self, p2seq[self])]
                   THEN /\ ctr' = [ctr EXCEPT ![c[self]].hi = 0]
                   ELSE /\ TRUE
                        /\ ctr' = ctr
             /\ pv' = [pv EXCEPT ![self] = L(cnt[self], FALSE, FALSE)]
             /\ cnt' = [cnt EXCEPT ![self] = 0]
             /\ IF c[self] = "T"
                   THEN /\ pc' = [pc EXCEPT ![self] = "et0"]
                   ELSE /\ pc' = [pc EXCEPT ![self] = "dt0"]
             /\ UNCHANGED << sc, entry, threshold, loc, req, p2, p2seq, invd, 
                             res, done, stack, c, w, tg, ix, g, cr, p, nw, sct, 
                             sch, stries, ht, rr, lc, k, ntag, x, e, ne, pat, 
                             ct, ch, tries >>

et0(self) == /\ pc[self] = "et0"
             /\ p' = [p EXCEPT ![self] = entry[Pos(pv[self].v)]]
             /\ IF p'[self].lo.c = Cyc(pv[self].v) /\ p'[self].lo.f # BOTC
                   THEN /\ nw' = [nw EXCEPT ![self] = p'[self].lo]
                        /\ pc' = [pc EXCEPT ![self] = "ef0"]
                   ELSE /\ IF p'[self].lo.c >= Cyc(pv[self].v) \/ p'[self].hi >= Cyc(pv[self].v)
                              THEN /\ pc' = [pc EXCEPT ![self] = "si0"]
                              ELSE /\ IF FEmpty(p'[self].lo.f) /\ p'[self].lo.s
                                         THEN /\ pc' = [pc EXCEPT ![self] = "et2"]
                                         ELSE /\ IF FEmpty(p'[self].lo.f)
                                                    THEN /\ pc' = [pc EXCEPT ![self] = "et1"]
                                                    ELSE /\ pc' = [pc EXCEPT ![self] = "et3"]
                        /\ nw' = nw
             /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                             invd, res, done, stack, c, w, tg, ix, pv, cnt, g, 
                             cr, sct, sch, stries, ht, rr, lc, k, ntag, x, e, 
                             ne, pat, ct, ch, tries >>

et1(self) == /\ pc[self] = "et1"
             /\ IF ctr["H"].lo <= pv[self].v
                   THEN /\ pc' = [pc EXCEPT ![self] = "et2"]
                   ELSE /\ pc' = [pc EXCEPT ![self] = "et3"]
             /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                             invd, res, done, stack, c, w, tg, ix, pv, cnt, g, 
                             cr, p, nw, sct, sch, stries, ht, rr, lc, k, ntag, 
                             x, e, ne, pat, ct, ch, tries >>

et2(self) == /\ pc[self] = "et2"
             /\ IF entry[Pos(pv[self].v)] = p[self]
                   THEN /\ entry' = [entry EXCEPT ![Pos(pv[self].v)].lo = W(Cyc(pv[self].v), TRUE, FALSE, ix[self])]
                        /\ nw' = [nw EXCEPT ![self] = W(Cyc(pv[self].v), TRUE, FALSE, ix[self])]
                        /\ pc' = [pc EXCEPT ![self] = "ef0"]
                        /\ p' = p
                   ELSE /\ p' = [p EXCEPT ![self] = entry[Pos(pv[self].v)]]
                        /\ IF p'[self].lo.c = Cyc(pv[self].v) /\ p'[self].lo.f # BOTC
                              THEN /\ nw' = [nw EXCEPT ![self] = p'[self].lo]
                                   /\ pc' = [pc EXCEPT ![self] = "ef0"]
                              ELSE /\ IF p'[self].lo.c >= Cyc(pv[self].v) \/ p'[self].hi >= Cyc(pv[self].v)
                                         THEN /\ pc' = [pc EXCEPT ![self] = "si0"]
                                         ELSE /\ IF FEmpty(p'[self].lo.f) /\ p'[self].lo.s
                                                    THEN /\ pc' = [pc EXCEPT ![self] = "et2"]
                                                    ELSE /\ IF FEmpty(p'[self].lo.f)
                                                               THEN /\ pc' = [pc EXCEPT ![self] = "et1"]
                                                               ELSE /\ pc' = [pc EXCEPT ![self] = "et3"]
                                   /\ nw' = nw
                        /\ entry' = entry
             /\ UNCHANGED << sc, ctr, threshold, loc, req, p2, p2seq, invd, 
                             res, done, stack, c, w, tg, ix, pv, cnt, g, cr, 
                             sct, sch, stries, ht, rr, lc, k, ntag, x, e, ne, 
                             pat, ct, ch, tries >>

et3(self) == /\ pc[self] = "et3"
             /\ IF entry[Pos(pv[self].v)] = p[self]
                   THEN /\ entry' = [entry EXCEPT ![Pos(pv[self].v)].hi = Cyc(pv[self].v)]
                        /\ pc' = [pc EXCEPT ![self] = "si0"]
                        /\ UNCHANGED << p, nw >>
                   ELSE /\ p' = [p EXCEPT ![self] = entry[Pos(pv[self].v)]]
                        /\ IF p'[self].lo.c = Cyc(pv[self].v) /\ p'[self].lo.f # BOTC
                              THEN /\ nw' = [nw EXCEPT ![self] = p'[self].lo]
                                   /\ pc' = [pc EXCEPT ![self] = "ef0"]
                              ELSE /\ IF p'[self].lo.c >= Cyc(pv[self].v) \/ p'[self].hi >= Cyc(pv[self].v)
                                         THEN /\ pc' = [pc EXCEPT ![self] = "si0"]
                                         ELSE /\ IF FEmpty(p'[self].lo.f) /\ p'[self].lo.s
                                                    THEN /\ pc' = [pc EXCEPT ![self] = "et2"]
                                                    ELSE /\ IF FEmpty(p'[self].lo.f)
                                                               THEN /\ pc' = [pc EXCEPT ![self] = "et1"]
                                                               ELSE /\ pc' = [pc EXCEPT ![self] = "et3"]
                                   /\ nw' = nw
                        /\ entry' = entry
             /\ UNCHANGED << sc, ctr, threshold, loc, req, p2, p2seq, invd, 
                             res, done, stack, c, w, tg, ix, pv, cnt, g, cr, 
                             sct, sch, stries, ht, rr, lc, k, ntag, x, e, ne, 
                             pat, ct, ch, tries >>

ef0(self) == /\ pc[self] = "ef0"
             /\ p' = [p EXCEPT ![self] = NoEntry]
             /\ IF loc[w[self]]["T"] = [lo |-> L(pv[self].v, FALSE, FALSE), hi |-> tg[self]]
                   THEN /\ loc' = [loc EXCEPT ![w[self]]["T"].lo.fin = TRUE]
                        /\ IF ~nw[self].enq /\ ~FEmpty(nw[self].f)
                              THEN /\ pc' = [pc EXCEPT ![self] = "ef1"]
                              ELSE /\ pc' = [pc EXCEPT ![self] = "ef2"]
                   ELSE /\ pc' = [pc EXCEPT ![self] = "ef2"]
                        /\ loc' = loc
             /\ UNCHANGED << sc, entry, ctr, threshold, req, p2, p2seq, invd, 
                             res, done, stack, c, w, tg, ix, pv, cnt, g, cr, 
                             nw, sct, sch, stries, ht, rr, lc, k, ntag, x, e, 
                             ne, pat, ct, ch, tries >>

ef1(self) == /\ pc[self] = "ef1"
             /\ IF entry[Pos(pv[self].v)].lo = nw[self]
                   THEN /\ entry' = [entry EXCEPT ![Pos(pv[self].v)].lo.enq = TRUE]
                   ELSE /\ TRUE
                        /\ entry' = entry
             /\ nw' = [nw EXCEPT ![self] = NoLo]
             /\ pc' = [pc EXCEPT ![self] = "ef2"]
             /\ UNCHANGED << sc, ctr, threshold, loc, req, p2, p2seq, invd, 
                             res, done, stack, c, w, tg, ix, pv, cnt, g, cr, p, 
                             sct, sch, stries, ht, rr, lc, k, ntag, x, e, ne, 
                             pat, ct, ch, tries >>

ef2(self) == /\ pc[self] = "ef2"
             /\ nw' = [nw EXCEPT ![self] = NoLo]
             /\ IF threshold # FULL
                   THEN /\ pc' = [pc EXCEPT ![self] = "ef3"]
                   ELSE /\ pc' = [pc EXCEPT ![self] = "si0"]
             /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                             invd, res, done, stack, c, w, tg, ix, pv, cnt, g, 
                             cr, p, sct, sch, stries, ht, rr, lc, k, ntag, x, 
                             e, ne, pat, ct, ch, tries >>

ef3(self) == /\ pc[self] = "ef3"
             /\ threshold' = FULL
             /\ pc' = [pc EXCEPT ![self] = "si0"]
             /\ UNCHANGED << sc, entry, ctr, loc, req, p2, p2seq, invd, res, 
                             done, stack, c, w, tg, ix, pv, cnt, g, cr, p, nw, 
                             sct, sch, stries, ht, rr, lc, k, ntag, x, e, ne, 
                             pat, ct, ch, tries >>

dt0(self) == /\ pc[self] = "dt0"
             /\ p' = [p EXCEPT ![self] = entry[Pos(pv[self].v)]]
             /\ IF p'[self].lo.c = Cyc(pv[self].v) /\ p'[self].lo.f # BOTC
                   THEN /\ pc' = [pc EXCEPT ![self] = "dfin"]
                        /\ nw' = nw
                   ELSE /\ IF p'[self].lo.c >= Cyc(pv[self].v)
                              THEN /\ pc' = [pc EXCEPT ![self] = "dtl"]
                                   /\ nw' = nw
                              ELSE /\ IF ~FEmpty(p'[self].lo.f)
                                         THEN /\ IF p'[self].hi < Cyc(pv[self].v)
                                                    THEN /\ pc' = [pc EXCEPT ![self] = "dnote"]
                                                         /\ nw' = nw
                                                    ELSE /\ IF ~p'[self].lo.s
                                                               THEN /\ pc' = [pc EXCEPT ![self] = "dtl"]
                                                                    /\ nw' = nw
                                                               ELSE /\ nw' = [nw EXCEPT ![self] = [p'[self].lo EXCEPT !.s = FALSE]]
                                                                    /\ pc' = [pc EXCEPT ![self] = "dcas"]
                                         ELSE /\ nw' = [nw EXCEPT ![self] = W(Cyc(pv[self].v), p'[self].lo.s, TRUE, BOTC)]
                                              /\ pc' = [pc EXCEPT ![self] = "dcas"]
             /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                             invd, res, done, stack, c, w, tg, ix, pv, cnt, g, 
                             cr, sct, sch, stries, ht, rr, lc, k, ntag, x, e, 
                             ne, pat, ct, ch, tries >>

dnote(self) == /\ pc[self] = "dnote"
               /\ IF entry[Pos(pv[self].v)] = p[self]
                     THEN /\ entry' = [entry EXCEPT ![Pos(pv[self].v)].hi = Cyc(pv[self].v)]
                          /\ p' = [p EXCEPT ![self].hi = Cyc(pv[self].v)]
                          /\ IF ~p'[self].lo.s
                                THEN /\ pc' = [pc EXCEPT ![self] = "dtl"]
                                     /\ nw' = nw
                                ELSE /\ nw' = [nw EXCEPT ![self] = [p'[self].lo EXCEPT !.s = FALSE]]
                                     /\ pc' = [pc EXCEPT ![self] = "dcas"]
                     ELSE /\ p' = [p EXCEPT ![self] = entry[Pos(pv[self].v)]]
                          /\ IF p'[self].lo.c = Cyc(pv[self].v) /\ p'[self].lo.f # BOTC
                                THEN /\ pc' = [pc EXCEPT ![self] = "dfin"]
                                     /\ nw' = nw
                                ELSE /\ IF p'[self].lo.c >= Cyc(pv[self].v)
                                           THEN /\ pc' = [pc EXCEPT ![self] = "dtl"]
                                                /\ nw' = nw
                                           ELSE /\ IF ~FEmpty(p'[self].lo.f)
                                                      THEN /\ IF p'[self].hi < Cyc(pv[self].v)
                                                                 THEN /\ pc' = [pc EXCEPT ![self] = "dnote"]
                                                                      /\ nw' = nw
                                                                 ELSE /\ IF ~p'[self].lo.s
                                                                            THEN /\ pc' = [pc EXCEPT ![self] = "dtl"]
                                                                                 /\ nw' = nw
                                                                            ELSE /\ nw' = [nw EXCEPT ![self] = [p'[self].lo EXCEPT !.s = FALSE]]
                                                                                 /\ pc' = [pc EXCEPT ![self] = "dcas"]
                                                      ELSE /\ nw' = [nw EXCEPT ![self] = W(Cyc(pv[self].v), p'[self].lo.s, TRUE, BOTC)]
                                                           /\ pc' = [pc EXCEPT ![self] = "dcas"]
                          /\ entry' = entry
               /\ UNCHANGED << sc, ctr, threshold, loc, req, p2, p2seq, invd, 
                               res, done, stack, c, w, tg, ix, pv, cnt, g, cr, 
                               sct, sch, stries, ht, rr, lc, k, ntag, x, e, ne, 
                               pat, ct, ch, tries >>

dcas(self) == /\ pc[self] = "dcas"
              /\ IF entry[Pos(pv[self].v)] = p[self]
                    THEN /\ entry' = [entry EXCEPT ![Pos(pv[self].v)].lo = nw[self]]
                         /\ pc' = [pc EXCEPT ![self] = "dtl"]
                         /\ UNCHANGED << p, nw >>
                    ELSE /\ p' = [p EXCEPT ![self] = entry[Pos(pv[self].v)]]
                         /\ IF p'[self].lo.c = Cyc(pv[self].v) /\ p'[self].lo.f # BOTC
                               THEN /\ pc' = [pc EXCEPT ![self] = "dfin"]
                                    /\ nw' = nw
                               ELSE /\ IF p'[self].lo.c >= Cyc(pv[self].v)
                                          THEN /\ pc' = [pc EXCEPT ![self] = "dtl"]
                                               /\ nw' = nw
                                          ELSE /\ IF ~FEmpty(p'[self].lo.f)
                                                     THEN /\ IF p'[self].hi < Cyc(pv[self].v)
                                                                THEN /\ pc' = [pc EXCEPT ![self] = "dnote"]
                                                                     /\ nw' = nw
                                                                ELSE /\ IF ~p'[self].lo.s
                                                                           THEN /\ pc' = [pc EXCEPT ![self] = "dtl"]
                                                                                /\ nw' = nw
                                                                           ELSE /\ nw' = [nw EXCEPT ![self] = [p'[self].lo EXCEPT !.s = FALSE]]
                                                                                /\ pc' = [pc EXCEPT ![self] = "dcas"]
                                                     ELSE /\ nw' = [nw EXCEPT ![self] = W(Cyc(pv[self].v), p'[self].lo.s, TRUE, BOTC)]
                                                          /\ pc' = [pc EXCEPT ![self] = "dcas"]
                         /\ entry' = entry
              /\ UNCHANGED << sc, ctr, threshold, loc, req, p2, p2seq, invd, 
                              res, done, stack, c, w, tg, ix, pv, cnt, g, cr, 
                              sct, sch, stries, ht, rr, lc, k, ntag, x, e, ne, 
                              pat, ct, ch, tries >>

dtl(self) == /\ pc[self] = "dtl"
             /\ p' = [p EXCEPT ![self] = NoEntry]
             /\ nw' = [nw EXCEPT ![self] = NoLo]
             /\ IF ctr["T"].lo <= pv[self].v + 1
                   THEN /\ sct' = [sct EXCEPT ![self] = ctr["T"].lo]
                        /\ sch' = [sch EXCEPT ![self] = pv[self].v + 1]
                        /\ stries' = [stries EXCEPT ![self] = CATCHUP]
                        /\ pc' = [pc EXCEPT ![self] = "dcu"]
                   ELSE /\ pc' = [pc EXCEPT ![self] = "dth"]
                        /\ UNCHANGED << sct, sch, stries >>
             /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                             invd, res, done, stack, c, w, tg, ix, pv, cnt, g, 
                             cr, ht, rr, lc, k, ntag, x, e, ne, pat, ct, ch, 
                             tries >>

dcu(self) == /\ pc[self] = "dcu"
             /\ IF ctr["T"].lo = sct[self]
                   THEN /\ ctr' = [ctr EXCEPT !["T"].lo = sch[self]]
                        /\ sct' = [sct EXCEPT ![self] = 0]
                        /\ sch' = [sch EXCEPT ![self] = 0]
                        /\ stries' = [stries EXCEPT ![self] = 0]
                        /\ pc' = [pc EXCEPT ![self] = "dfin"]
                   ELSE /\ IF stries[self] > 1
                              THEN /\ stries' = [stries EXCEPT ![self] = stries[self] - 1]
                                   /\ pc' = [pc EXCEPT ![self] = "dcu1"]
                                   /\ UNCHANGED << sct, sch >>
                              ELSE /\ sct' = [sct EXCEPT ![self] = 0]
                                   /\ sch' = [sch EXCEPT ![self] = 0]
                                   /\ stries' = [stries EXCEPT ![self] = 0]
                                   /\ pc' = [pc EXCEPT ![self] = "dfin"]
                        /\ ctr' = ctr
             /\ UNCHANGED << sc, entry, threshold, loc, req, p2, p2seq, invd, 
                             res, done, stack, c, w, tg, ix, pv, cnt, g, cr, p, 
                             nw, ht, rr, lc, k, ntag, x, e, ne, pat, ct, ch, 
                             tries >>

dcu1(self) == /\ pc[self] = "dcu1"
              /\ sch' = [sch EXCEPT ![self] = ctr["H"].lo]
              /\ pc' = [pc EXCEPT ![self] = "dcu2"]
              /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                              invd, res, done, stack, c, w, tg, ix, pv, cnt, g, 
                              cr, p, nw, sct, stries, ht, rr, lc, k, ntag, x, 
                              e, ne, pat, ct, ch, tries >>

dcu2(self) == /\ pc[self] = "dcu2"
              /\ IF ctr["T"].lo >= sch[self]
                    THEN /\ sct' = [sct EXCEPT ![self] = 0]
                         /\ sch' = [sch EXCEPT ![self] = 0]
                         /\ stries' = [stries EXCEPT ![self] = 0]
                         /\ pc' = [pc EXCEPT ![self] = "dfin"]
                    ELSE /\ sct' = [sct EXCEPT ![self] = ctr["T"].lo]
                         /\ pc' = [pc EXCEPT ![self] = "dcu"]
                         /\ UNCHANGED << sch, stries >>
              /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                              invd, res, done, stack, c, w, tg, ix, pv, cnt, g, 
                              cr, p, nw, ht, rr, lc, k, ntag, x, e, ne, pat, 
                              ct, ch, tries >>

dth(self) == /\ pc[self] = "dth"
             /\ IF threshold < 0
                   THEN /\ pc' = [pc EXCEPT ![self] = "dfin"]
                   ELSE /\ pc' = [pc EXCEPT ![self] = "si0"]
             /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                             invd, res, done, stack, c, w, tg, ix, pv, cnt, g, 
                             cr, p, nw, sct, sch, stries, ht, rr, lc, k, ntag, 
                             x, e, ne, pat, ct, ch, tries >>

dfin(self) == /\ pc[self] = "dfin"
              /\ IF loc[w[self]]["H"] = [lo |-> L(pv[self].v, FALSE, FALSE), hi |-> tg[self]]
                    THEN /\ loc' = [loc EXCEPT ![w[self]]["H"].lo.fin = TRUE]
                    ELSE /\ TRUE
                         /\ loc' = loc
              /\ pc' = [pc EXCEPT ![self] = "si0"]
              /\ UNCHANGED << sc, entry, ctr, threshold, req, p2, p2seq, invd, 
                              res, done, stack, c, w, tg, ix, pv, cnt, g, cr, 
                              p, nw, sct, sch, stries, ht, rr, lc, k, ntag, x, 
                              e, ne, pat, ct, ch, tries >>

slow_loop(self) == si0(self) \/ si1(self) \/ si2(self) \/ si2b(self)
                      \/ si3(self) \/ si4(self) \/ si6(self) \/ si7(self)
                      \/ si8(self) \/ si9(self) \/ et0(self) \/ et1(self)
                      \/ et2(self) \/ et3(self) \/ ef0(self) \/ ef1(self)
                      \/ ef2(self) \/ ef3(self) \/ dt0(self) \/ dnote(self)
                      \/ dcas(self) \/ dtl(self) \/ dcu(self) \/ dcu1(self)
                      \/ dcu2(self) \/ dth(self) \/ dfin(self)

ec0(self) == /\ pc[self] = "ec0"
             /\ LET l == loc[rr[self]]["T"] IN
                  IF l.lo = L(ht[self], FALSE, FALSE)
                     THEN /\ lc' = [lc EXCEPT ![self] = l]
                          /\ pc' = [pc EXCEPT ![self] = "ec1"]
                          /\ UNCHANGED << stack, ht, rr >>
                     ELSE /\ IF rr[self] < NT
                                THEN /\ rr' = [rr EXCEPT ![self] = rr[self] + 1]
                                     /\ pc' = [pc EXCEPT ![self] = "ec0"]
                                     /\ UNCHANGED << stack, ht, lc >>
                                ELSE /\ pc' = [pc EXCEPT ![self] = Head(stack[self]).pc]
                                     /\ rr' = [rr EXCEPT ![self] = Head(stack[self]).rr]
                                     /\ lc' = [lc EXCEPT ![self] = Head(stack[self]).lc]
                                     /\ ht' = [ht EXCEPT ![self] = Head(stack[self]).ht]
                                     /\ stack' = [stack EXCEPT ![self] = Tail(stack[self])]
             /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                             invd, res, done, c, w, tg, ix, pv, cnt, g, cr, p, 
                             nw, sct, sch, stries, k, ntag, x, e, ne, pat, ct, 
                             ch, tries >>

ec1(self) == /\ pc[self] = "ec1"
             /\ IF req[rr[self]].e = lc[self].hi /\ req[rr[self]].kind = KEnq /\ req[rr[self]].b = req[rr[self]].e
                   THEN /\ pc' = [pc EXCEPT ![self] = "ec2"]
                        /\ UNCHANGED << stack, ht, rr, lc >>
                   ELSE /\ IF rr[self] < NT
                              THEN /\ rr' = [rr EXCEPT ![self] = rr[self] + 1]
                                   /\ lc' = [lc EXCEPT ![self] = NoLocal]
                                   /\ pc' = [pc EXCEPT ![self] = "ec0"]
                                   /\ UNCHANGED << stack, ht >>
                              ELSE /\ pc' = [pc EXCEPT ![self] = Head(stack[self]).pc]
                                   /\ rr' = [rr EXCEPT ![self] = Head(stack[self]).rr]
                                   /\ lc' = [lc EXCEPT ![self] = Head(stack[self]).lc]
                                   /\ ht' = [ht EXCEPT ![self] = Head(stack[self]).ht]
                                   /\ stack' = [stack EXCEPT ![self] = Tail(stack[self])]
             /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                             invd, res, done, c, w, tg, ix, pv, cnt, g, cr, p, 
                             nw, sct, sch, stries, k, ntag, x, e, ne, pat, ct, 
                             ch, tries >>

ec2(self) == /\ pc[self] = "ec2"
             /\ IF loc[rr[self]]["T"] = [lo |-> L(ht[self], FALSE, FALSE), hi |-> lc[self].hi]
                   THEN /\ loc' = [loc EXCEPT ![rr[self]]["T"].lo.fin = TRUE]
                   ELSE /\ TRUE
                        /\ loc' = loc
             /\ pc' = [pc EXCEPT ![self] = Head(stack[self]).pc]
             /\ rr' = [rr EXCEPT ![self] = Head(stack[self]).rr]
             /\ lc' = [lc EXCEPT ![self] = Head(stack[self]).lc]
             /\ ht' = [ht EXCEPT ![self] = Head(stack[self]).ht]
             /\ stack' = [stack EXCEPT ![self] = Tail(stack[self])]
             /\ UNCHANGED << sc, entry, ctr, threshold, req, p2, p2seq, invd, 
                             res, done, c, w, tg, ix, pv, cnt, g, cr, p, nw, 
                             sct, sch, stries, k, ntag, x, e, ne, pat, ct, ch, 
                             tries >>

enq_complete_for(self) == ec0(self) \/ ec1(self) \/ ec2(self)

op(self) == /\ pc[self] = "op"
            /\ invd' = [invd EXCEPT ![self][k[self]] = done]
            /\ IF Prog[self][k[self]].op = "enq"
                  THEN /\ \E j \in {0} \cup HelpSet(self):
                            IF j # 0 /\ req[j].b = req[j].e /\ req[j].kind # 0
                               THEN /\ pat' = [pat EXCEPT ![self] = PatEnq]
                                    /\ /\ c' = [c EXCEPT ![self] = KCtr(req[j].kind)]
                                       /\ ix' = [ix EXCEPT ![self] = req[j].idx]
                                       /\ pv' = [pv EXCEPT ![self] = L(req[j].init, FALSE, TRUE)]
                                       /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "slow_loop",
                                                                                pc        |->  "re1",
                                                                                cnt       |->  cnt[self],
                                                                                g         |->  g[self],
                                                                                cr        |->  cr[self],
                                                                                p         |->  p[self],
                                                                                nw        |->  nw[self],
                                                                                sct       |->  sct[self],
                                                                                sch       |->  sch[self],
                                                                                stries    |->  stries[self],
                                                                                c         |->  c[self],
                                                                                w         |->  w[self],
                                                                                tg        |->  tg[self],
                                                                                ix        |->  ix[self],
                                                                                pv        |->  pv[self] ] >>
                                                                            \o stack[self]]
                                       /\ tg' = [tg EXCEPT ![self] = req[j].e]
                                       /\ w' = [w EXCEPT ![self] = j]
                                    /\ cnt' = [cnt EXCEPT ![self] = 0]
                                    /\ g' = [g EXCEPT ![self] = NoCtr]
                                    /\ cr' = [cr EXCEPT ![self] = NoP2]
                                    /\ p' = [p EXCEPT ![self] = NoEntry]
                                    /\ nw' = [nw EXCEPT ![self] = NoLo]
                                    /\ sct' = [sct EXCEPT ![self] = 0]
                                    /\ sch' = [sch EXCEPT ![self] = 0]
                                    /\ stries' = [stries EXCEPT ![self] = 0]
                                    /\ pc' = [pc EXCEPT ![self] = "si0"]
                                    /\ UNCHANGED << ctr, x >>
                               ELSE /\ IF j # 0
                                          THEN /\ pat' = [pat EXCEPT ![self] = PatEnq]
                                               /\ pc' = [pc EXCEPT ![self] = "re1"]
                                               /\ UNCHANGED << ctr, x >>
                                          ELSE /\ x' = [x EXCEPT ![self] = ctr["T"].lo]
                                               /\ IF PatEnq = 0
                                                     THEN /\ pc' = [pc EXCEPT ![self] = "res0"]
                                                          /\ UNCHANGED << ctr, 
                                                                          pat >>
                                                     ELSE /\ ctr' = [ctr EXCEPT !["T"].lo = ctr["T"].lo + 1]
                                                          /\ pat' = [pat EXCEPT ![self] = PatEnq - 1]
                                                          /\ pc' = [pc EXCEPT ![self] = "ref0"]
                                    /\ UNCHANGED << stack, c, w, tg, ix, pv, 
                                                    cnt, g, cr, p, nw, sct, 
                                                    sch, stries >>
                       /\ UNCHANGED << res, done, k, e, ne, ct, ch, tries >>
                  ELSE /\ IF threshold < 0
                             THEN /\ res' = [res EXCEPT ![self][k[self]] = EMPTY]
                                  /\ done' = (done \cup {<<self, k[self]>>})
                                  /\ k' = [k EXCEPT ![self] = k[self] + 1]
                                  /\ x' = [x EXCEPT ![self] = 0]
                                  /\ e' = [e EXCEPT ![self] = NoLo]
                                  /\ ne' = [ne EXCEPT ![self] = NoLo]
                                  /\ pat' = [pat EXCEPT ![self] = 0]
                                  /\ ct' = [ct EXCEPT ![self] = 0]
                                  /\ ch' = [ch EXCEPT ![self] = 0]
                                  /\ tries' = [tries EXCEPT ![self] = 0]
                                  /\ IF k'[self] > Len(Prog[self])
                                        THEN /\ pc' = [pc EXCEPT ![self] = "Done"]
                                        ELSE /\ pc' = [pc EXCEPT ![self] = "op"]
                             ELSE /\ pat' = [pat EXCEPT ![self] = PatDeq]
                                  /\ IF HelpSet(self) # {}
                                        THEN /\ \/ /\ pc' = [pc EXCEPT ![self] = "rd1"]
                                                \/ /\ pc' = [pc EXCEPT ![self] = "rdh"]
                                        ELSE /\ pc' = [pc EXCEPT ![self] = "rd1"]
                                  /\ UNCHANGED << res, done, k, x, e, ne, ct, 
                                                  ch, tries >>
                       /\ UNCHANGED << ctr, stack, c, w, tg, ix, pv, cnt, g, 
                                       cr, p, nw, sct, sch, stries >>
            /\ UNCHANGED << sc, entry, threshold, loc, req, p2, p2seq, ht, rr, 
                            lc, ntag >>

re1(self) == /\ pc[self] = "re1"
             /\ x' = [x EXCEPT ![self] = ctr["T"].lo]
             /\ IF pat[self] = 0
                   THEN /\ pc' = [pc EXCEPT ![self] = "res0"]
                        /\ UNCHANGED << ctr, pat >>
                   ELSE /\ ctr' = [ctr EXCEPT !["T"].lo = ctr["T"].lo + 1]
                        /\ pat' = [pat EXCEPT ![self] = pat[self] - 1]
                        /\ pc' = [pc EXCEPT ![self] = "ref0"]
             /\ UNCHANGED << sc, entry, threshold, loc, req, p2, p2seq, invd, 
                             res, done, stack, c, w, tg, ix, pv, cnt, g, cr, p, 
                             nw, sct, sch, stries, ht, rr, lc, k, ntag, e, ne, 
                             ct, ch, tries >>

ref0(self) == /\ pc[self] = "ref0"
              /\ e' = [e EXCEPT ![self] = entry[Pos(x[self])].lo]
              /\ IF ~(e'[self].c < Cyc(x[self]) /\ FEmpty(e'[self].f))
                    THEN /\ IF pat[self] > 0
                               THEN /\ pc' = [pc EXCEPT ![self] = "re1"]
                               ELSE /\ pc' = [pc EXCEPT ![self] = "res0"]
                    ELSE /\ IF e'[self].s
                               THEN /\ pc' = [pc EXCEPT ![self] = "ref2"]
                               ELSE /\ pc' = [pc EXCEPT ![self] = "ref1"]
              /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                              invd, res, done, stack, c, w, tg, ix, pv, cnt, g, 
                              cr, p, nw, sct, sch, stries, ht, rr, lc, k, ntag, 
                              x, ne, pat, ct, ch, tries >>

ref1(self) == /\ pc[self] = "ref1"
              /\ IF ctr["H"].lo <= x[self]
                    THEN /\ pc' = [pc EXCEPT ![self] = "ref2"]
                    ELSE /\ IF pat[self] > 0
                               THEN /\ pc' = [pc EXCEPT ![self] = "re1"]
                               ELSE /\ pc' = [pc EXCEPT ![self] = "res0"]
              /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                              invd, res, done, stack, c, w, tg, ix, pv, cnt, g, 
                              cr, p, nw, sct, sch, stries, ht, rr, lc, k, ntag, 
                              x, e, ne, pat, ct, ch, tries >>

ref2(self) == /\ pc[self] = "ref2"
              /\ IF entry[Pos(x[self])].lo = e[self]
                    THEN /\ entry' = [entry EXCEPT ![Pos(x[self])].lo = W(Cyc(x[self]), TRUE, TRUE, Prog[self][k[self]].v)]
                         /\ pc' = [pc EXCEPT ![self] = "rtr"]
                         /\ e' = e
                    ELSE /\ e' = [e EXCEPT ![self] = entry[Pos(x[self])].lo]
                         /\ IF ~(e'[self].c < Cyc(x[self]) /\ FEmpty(e'[self].f))
                               THEN /\ IF pat[self] > 0
                                          THEN /\ pc' = [pc EXCEPT ![self] = "re1"]
                                          ELSE /\ pc' = [pc EXCEPT ![self] = "res0"]
                               ELSE /\ IF e'[self].s
                                          THEN /\ pc' = [pc EXCEPT ![self] = "ref2"]
                                          ELSE /\ pc' = [pc EXCEPT ![self] = "ref1"]
                         /\ entry' = entry
              /\ UNCHANGED << sc, ctr, threshold, loc, req, p2, p2seq, invd, 
                              res, done, stack, c, w, tg, ix, pv, cnt, g, cr, 
                              p, nw, sct, sch, stries, ht, rr, lc, k, ntag, x, 
                              ne, pat, ct, ch, tries >>

rtr(self) == /\ pc[self] = "rtr"
             /\ IF threshold # FULL
                   THEN /\ pc' = [pc EXCEPT ![self] = "rtr2"]
                        /\ UNCHANGED << res, done, k, x, e, ne, pat, ct, ch, 
                                        tries >>
                   ELSE /\ res' = [res EXCEPT ![self][k[self]] = ENQOK]
                        /\ done' = (done \cup {<<self, k[self]>>})
                        /\ k' = [k EXCEPT ![self] = k[self] + 1]
                        /\ x' = [x EXCEPT ![self] = 0]
                        /\ e' = [e EXCEPT ![self] = NoLo]
                        /\ ne' = [ne EXCEPT ![self] = NoLo]
                        /\ pat' = [pat EXCEPT ![self] = 0]
                        /\ ct' = [ct EXCEPT ![self] = 0]
                        /\ ch' = [ch EXCEPT ![self] = 0]
                        /\ tries' = [tries EXCEPT ![self] = 0]
                        /\ IF k'[self] > Len(Prog[self])
                              THEN /\ pc' = [pc EXCEPT ![self] = "Done"]
                              ELSE /\ pc' = [pc EXCEPT ![self] = "op"]
             /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                             invd, stack, c, w, tg, ix, pv, cnt, g, cr, p, nw, 
                             sct, sch, stries, ht, rr, lc, ntag >>

rtr2(self) == /\ pc[self] = "rtr2"
              /\ threshold' = FULL
              /\ res' = [res EXCEPT ![self][k[self]] = ENQOK]
              /\ done' = (done \cup {<<self, k[self]>>})
              /\ k' = [k EXCEPT ![self] = k[self] + 1]
              /\ x' = [x EXCEPT ![self] = 0]
              /\ e' = [e EXCEPT ![self] = NoLo]
              /\ ne' = [ne EXCEPT ![self] = NoLo]
              /\ pat' = [pat EXCEPT ![self] = 0]
              /\ ct' = [ct EXCEPT ![self] = 0]
              /\ ch' = [ch EXCEPT ![self] = 0]
              /\ tries' = [tries EXCEPT ![self] = 0]
              /\ IF k'[self] > Len(Prog[self])
                    THEN /\ pc' = [pc EXCEPT ![self] = "Done"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "op"]
              /\ UNCHANGED << sc, entry, ctr, loc, req, p2, p2seq, invd, stack, 
                              c, w, tg, ix, pv, cnt, g, cr, p, nw, sct, sch, 
                              stries, ht, rr, lc, ntag >>

res0(self) == /\ pc[self] = "res0"
              /\ ntag' = [ntag EXCEPT ![self] = ntag[self] + 1]
              /\ loc' = [loc EXCEPT ![self]["T"] = [lo |-> L(x[self], FALSE, TRUE), hi |-> ntag'[self]]]
              /\ req' = [req EXCEPT ![self] = [b |-> ntag'[self], kind |-> KEnq, idx |-> Prog[self][k[self]].v, init |-> x[self], e |-> ntag'[self]]]
              /\ /\ c' = [c EXCEPT ![self] = "T"]
                 /\ ix' = [ix EXCEPT ![self] = Prog[self][k[self]].v]
                 /\ pv' = [pv EXCEPT ![self] = L(x[self], FALSE, TRUE)]
                 /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "slow_loop",
                                                          pc        |->  "rfx1",
                                                          cnt       |->  cnt[self],
                                                          g         |->  g[self],
                                                          cr        |->  cr[self],
                                                          p         |->  p[self],
                                                          nw        |->  nw[self],
                                                          sct       |->  sct[self],
                                                          sch       |->  sch[self],
                                                          stries    |->  stries[self],
                                                          c         |->  c[self],
                                                          w         |->  w[self],
                                                          tg        |->  tg[self],
                                                          ix        |->  ix[self],
                                                          pv        |->  pv[self] ] >>
                                                      \o stack[self]]
                 /\ tg' = [tg EXCEPT ![self] = ntag'[self]]
                 /\ w' = [w EXCEPT ![self] = self]
              /\ cnt' = [cnt EXCEPT ![self] = 0]
              /\ g' = [g EXCEPT ![self] = NoCtr]
              /\ cr' = [cr EXCEPT ![self] = NoP2]
              /\ p' = [p EXCEPT ![self] = NoEntry]
              /\ nw' = [nw EXCEPT ![self] = NoLo]
              /\ sct' = [sct EXCEPT ![self] = 0]
              /\ sch' = [sch EXCEPT ![self] = 0]
              /\ stries' = [stries EXCEPT ![self] = 0]
              /\ pc' = [pc EXCEPT ![self] = "si0"]
              /\ UNCHANGED << sc, entry, ctr, threshold, p2, p2seq, invd, res, 
                              done, ht, rr, lc, k, x, e, ne, pat, ct, ch, 
                              tries >>

rfx1(self) == /\ pc[self] = "rfx1"
              /\ IF ~OwnerReset
                    THEN /\ req' = [req EXCEPT ![self].b = ntag[self] + 1]
                         /\ res' = [res EXCEPT ![self][k[self]] = ENQOK]
                         /\ done' = (done \cup {<<self, k[self]>>})
                         /\ k' = [k EXCEPT ![self] = k[self] + 1]
                         /\ x' = [x EXCEPT ![self] = 0]
                         /\ e' = [e EXCEPT ![self] = NoLo]
                         /\ ne' = [ne EXCEPT ![self] = NoLo]
                         /\ pat' = [pat EXCEPT ![self] = 0]
                         /\ ct' = [ct EXCEPT ![self] = 0]
                         /\ ch' = [ch EXCEPT ![self] = 0]
                         /\ tries' = [tries EXCEPT ![self] = 0]
                         /\ IF k'[self] > Len(Prog[self])
                               THEN /\ pc' = [pc EXCEPT ![self] = "Done"]
                               ELSE /\ pc' = [pc EXCEPT ![self] = "op"]
                    ELSE /\ IF threshold # FULL
                               THEN /\ pc' = [pc EXCEPT ![self] = "rfx2"]
                               ELSE /\ pc' = [pc EXCEPT ![self] = "res2"]
                         /\ UNCHANGED << req, res, done, k, x, e, ne, pat, ct, 
                                         ch, tries >>
              /\ UNCHANGED << sc, entry, ctr, threshold, loc, p2, p2seq, invd, 
                              stack, c, w, tg, ix, pv, cnt, g, cr, p, nw, sct, 
                              sch, stries, ht, rr, lc, ntag >>

rfx2(self) == /\ pc[self] = "rfx2"
              /\ threshold' = FULL
              /\ pc' = [pc EXCEPT ![self] = "res2"]
              /\ UNCHANGED << sc, entry, ctr, loc, req, p2, p2seq, invd, res, 
                              done, stack, c, w, tg, ix, pv, cnt, g, cr, p, nw, 
                              sct, sch, stries, ht, rr, lc, k, ntag, x, e, ne, 
                              pat, ct, ch, tries >>

res2(self) == /\ pc[self] = "res2"
              /\ req' = [req EXCEPT ![self].b = ntag[self] + 1]
              /\ res' = [res EXCEPT ![self][k[self]] = ENQOK]
              /\ done' = (done \cup {<<self, k[self]>>})
              /\ k' = [k EXCEPT ![self] = k[self] + 1]
              /\ x' = [x EXCEPT ![self] = 0]
              /\ e' = [e EXCEPT ![self] = NoLo]
              /\ ne' = [ne EXCEPT ![self] = NoLo]
              /\ pat' = [pat EXCEPT ![self] = 0]
              /\ ct' = [ct EXCEPT ![self] = 0]
              /\ ch' = [ch EXCEPT ![self] = 0]
              /\ tries' = [tries EXCEPT ![self] = 0]
              /\ IF k'[self] > Len(Prog[self])
                    THEN /\ pc' = [pc EXCEPT ![self] = "Done"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "op"]
              /\ UNCHANGED << sc, entry, ctr, threshold, loc, p2, p2seq, invd, 
                              stack, c, w, tg, ix, pv, cnt, g, cr, p, nw, sct, 
                              sch, stries, ht, rr, lc, ntag >>

rdh(self) == /\ pc[self] = "rdh"
             /\ \E j \in HelpSet(self):
                  IF req[j].b = req[j].e /\ req[j].kind # 0
                     THEN /\ /\ c' = [c EXCEPT ![self] = KCtr(req[j].kind)]
                             /\ ix' = [ix EXCEPT ![self] = req[j].idx]
                             /\ pv' = [pv EXCEPT ![self] = L(req[j].init, FALSE, TRUE)]
                             /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "slow_loop",
                                                                      pc        |->  "rd1",
                                                                      cnt       |->  cnt[self],
                                                                      g         |->  g[self],
                                                                      cr        |->  cr[self],
                                                                      p         |->  p[self],
                                                                      nw        |->  nw[self],
                                                                      sct       |->  sct[self],
                                                                      sch       |->  sch[self],
                                                                      stries    |->  stries[self],
                                                                      c         |->  c[self],
                                                                      w         |->  w[self],
                                                                      tg        |->  tg[self],
                                                                      ix        |->  ix[self],
                                                                      pv        |->  pv[self] ] >>
                                                                  \o stack[self]]
                             /\ tg' = [tg EXCEPT ![self] = req[j].e]
                             /\ w' = [w EXCEPT ![self] = j]
                          /\ cnt' = [cnt EXCEPT ![self] = 0]
                          /\ g' = [g EXCEPT ![self] = NoCtr]
                          /\ cr' = [cr EXCEPT ![self] = NoP2]
                          /\ p' = [p EXCEPT ![self] = NoEntry]
                          /\ nw' = [nw EXCEPT ![self] = NoLo]
                          /\ sct' = [sct EXCEPT ![self] = 0]
                          /\ sch' = [sch EXCEPT ![self] = 0]
                          /\ stries' = [stries EXCEPT ![self] = 0]
                          /\ pc' = [pc EXCEPT ![self] = "si0"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "rd1"]
                          /\ UNCHANGED << stack, c, w, tg, ix, pv, cnt, g, cr, 
                                          p, nw, sct, sch, stries >>
             /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                             invd, res, done, ht, rr, lc, k, ntag, x, e, ne, 
                             pat, ct, ch, tries >>

rd1(self) == /\ pc[self] = "rd1"
             /\ x' = [x EXCEPT ![self] = ctr["H"].lo]
             /\ IF pat[self] = 0
                   THEN /\ pc' = [pc EXCEPT ![self] = "rds0"]
                        /\ UNCHANGED << ctr, pat >>
                   ELSE /\ ctr' = [ctr EXCEPT !["H"].lo = ctr["H"].lo + 1]
                        /\ pat' = [pat EXCEPT ![self] = pat[self] - 1]
                        /\ pc' = [pc EXCEPT ![self] = "rdf0"]
             /\ UNCHANGED << sc, entry, threshold, loc, req, p2, p2seq, invd, 
                             res, done, stack, c, w, tg, ix, pv, cnt, g, cr, p, 
                             nw, sct, sch, stries, ht, rr, lc, k, ntag, e, ne, 
                             ct, ch, tries >>

rdf0(self) == /\ pc[self] = "rdf0"
              /\ e' = [e EXCEPT ![self] = entry[Pos(x[self])].lo]
              /\ IF e'[self].c = Cyc(x[self])
                    THEN /\ IF ~e'[self].enq
                               THEN /\ pc' = [pc EXCEPT ![self] = "rdfc"]
                               ELSE /\ pc' = [pc EXCEPT ![self] = "rdfo"]
                         /\ ne' = ne
                    ELSE /\ IF ~FEmpty(e'[self].f)
                               THEN /\ IF ~e'[self].s
                                          THEN /\ pc' = [pc EXCEPT ![self] = "rdft"]
                                               /\ ne' = ne
                                          ELSE /\ IF e'[self].c < Cyc(x[self])
                                                     THEN /\ ne' = [ne EXCEPT ![self] = [e'[self] EXCEPT !.s = FALSE]]
                                                          /\ pc' = [pc EXCEPT ![self] = "rdfcas"]
                                                     ELSE /\ pc' = [pc EXCEPT ![self] = "rdft"]
                                                          /\ ne' = ne
                               ELSE /\ IF e'[self].c < Cyc(x[self])
                                          THEN /\ ne' = [ne EXCEPT ![self] = W(Cyc(x[self]), e'[self].s, TRUE, BOTC)]
                                               /\ pc' = [pc EXCEPT ![self] = "rdfcas"]
                                          ELSE /\ pc' = [pc EXCEPT ![self] = "rdft"]
                                               /\ ne' = ne
              /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                              invd, res, done, stack, c, w, tg, ix, pv, cnt, g, 
                              cr, p, nw, sct, sch, stries, ht, rr, lc, k, ntag, 
                              x, pat, ct, ch, tries >>

rdfcas(self) == /\ pc[self] = "rdfcas"
                /\ IF entry[Pos(x[self])].lo = e[self]
                      THEN /\ entry' = [entry EXCEPT ![Pos(x[self])].lo = ne[self]]
                           /\ pc' = [pc EXCEPT ![self] = "rdft"]
                           /\ UNCHANGED << e, ne >>
                      ELSE /\ e' = [e EXCEPT ![self] = entry[Pos(x[self])].lo]
                           /\ IF e'[self].c = Cyc(x[self])
                                 THEN /\ IF ~e'[self].enq
                                            THEN /\ pc' = [pc EXCEPT ![self] = "rdfc"]
                                            ELSE /\ pc' = [pc EXCEPT ![self] = "rdfo"]
                                      /\ ne' = ne
                                 ELSE /\ IF ~FEmpty(e'[self].f)
                                            THEN /\ IF ~e'[self].s
                                                       THEN /\ pc' = [pc EXCEPT ![self] = "rdft"]
                                                            /\ ne' = ne
                                                       ELSE /\ IF e'[self].c < Cyc(x[self])
                                                                  THEN /\ ne' = [ne EXCEPT ![self] = [e'[self] EXCEPT !.s = FALSE]]
                                                                       /\ pc' = [pc EXCEPT ![self] = "rdfcas"]
                                                                  ELSE /\ pc' = [pc EXCEPT ![self] = "rdft"]
                                                                       /\ ne' = ne
                                            ELSE /\ IF e'[self].c < Cyc(x[self])
                                                       THEN /\ ne' = [ne EXCEPT ![self] = W(Cyc(x[self]), e'[self].s, TRUE, BOTC)]
                                                            /\ pc' = [pc EXCEPT ![self] = "rdfcas"]
                                                       ELSE /\ pc' = [pc EXCEPT ![self] = "rdft"]
                                                            /\ ne' = ne
                           /\ entry' = entry
                /\ UNCHANGED << sc, ctr, threshold, loc, req, p2, p2seq, invd, 
                                res, done, stack, c, w, tg, ix, pv, cnt, g, cr, 
                                p, nw, sct, sch, stries, ht, rr, lc, k, ntag, 
                                x, pat, ct, ch, tries >>

rdfc(self) == /\ pc[self] = "rdfc"
              /\ /\ ht' = [ht EXCEPT ![self] = x[self]]
                 /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "enq_complete_for",
                                                          pc        |->  "rdfo",
                                                          rr        |->  rr[self],
                                                          lc        |->  lc[self],
                                                          ht        |->  ht[self] ] >>
                                                      \o stack[self]]
              /\ rr' = [rr EXCEPT ![self] = 1]
              /\ lc' = [lc EXCEPT ![self] = NoLocal]
              /\ pc' = [pc EXCEPT ![self] = "ec0"]
              /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                              invd, res, done, c, w, tg, ix, pv, cnt, g, cr, p, 
                              nw, sct, sch, stries, k, ntag, x, e, ne, pat, ct, 
                              ch, tries >>

rdfo(self) == /\ pc[self] = "rdfo"
              /\ entry' = [entry EXCEPT ![Pos(x[self])].lo = [entry[Pos(x[self])].lo EXCEPT !.f = BOT, !.enq = TRUE]]
              /\ res' = [res EXCEPT ![self][k[self]] = e[self].f]
              /\ done' = (done \cup {<<self, k[self]>>})
              /\ k' = [k EXCEPT ![self] = k[self] + 1]
              /\ x' = [x EXCEPT ![self] = 0]
              /\ e' = [e EXCEPT ![self] = NoLo]
              /\ ne' = [ne EXCEPT ![self] = NoLo]
              /\ pat' = [pat EXCEPT ![self] = 0]
              /\ ct' = [ct EXCEPT ![self] = 0]
              /\ ch' = [ch EXCEPT ![self] = 0]
              /\ tries' = [tries EXCEPT ![self] = 0]
              /\ IF k'[self] > Len(Prog[self])
                    THEN /\ pc' = [pc EXCEPT ![self] = "Done"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "op"]
              /\ UNCHANGED << sc, ctr, threshold, loc, req, p2, p2seq, invd, 
                              stack, c, w, tg, ix, pv, cnt, g, cr, p, nw, sct, 
                              sch, stries, ht, rr, lc, ntag >>

rdft(self) == /\ pc[self] = "rdft"
              /\ IF ctr["T"].lo <= x[self] + 1
                    THEN /\ ct' = [ct EXCEPT ![self] = ctr["T"].lo]
                         /\ ch' = [ch EXCEPT ![self] = x[self] + 1]
                         /\ tries' = [tries EXCEPT ![self] = CATCHUP]
                         /\ pc' = [pc EXCEPT ![self] = "rdcu"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "rdth"]
                         /\ UNCHANGED << ct, ch, tries >>
              /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                              invd, res, done, stack, c, w, tg, ix, pv, cnt, g, 
                              cr, p, nw, sct, sch, stries, ht, rr, lc, k, ntag, 
                              x, e, ne, pat >>

rdcu(self) == /\ pc[self] = "rdcu"
              /\ IF ctr["T"].lo = ct[self]
                    THEN /\ ctr' = [ctr EXCEPT !["T"].lo = ch[self]]
                         /\ pc' = [pc EXCEPT ![self] = "rdcx"]
                         /\ tries' = tries
                    ELSE /\ IF tries[self] > 1
                               THEN /\ tries' = [tries EXCEPT ![self] = tries[self] - 1]
                                    /\ pc' = [pc EXCEPT ![self] = "rdcu1"]
                               ELSE /\ pc' = [pc EXCEPT ![self] = "rdcx"]
                                    /\ tries' = tries
                         /\ ctr' = ctr
              /\ UNCHANGED << sc, entry, threshold, loc, req, p2, p2seq, invd, 
                              res, done, stack, c, w, tg, ix, pv, cnt, g, cr, 
                              p, nw, sct, sch, stries, ht, rr, lc, k, ntag, x, 
                              e, ne, pat, ct, ch >>

rdcu1(self) == /\ pc[self] = "rdcu1"
               /\ ch' = [ch EXCEPT ![self] = ctr["H"].lo]
               /\ pc' = [pc EXCEPT ![self] = "rdcu2"]
               /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                               invd, res, done, stack, c, w, tg, ix, pv, cnt, 
                               g, cr, p, nw, sct, sch, stries, ht, rr, lc, k, 
                               ntag, x, e, ne, pat, ct, tries >>

rdcu2(self) == /\ pc[self] = "rdcu2"
               /\ IF ctr["T"].lo >= ch[self]
                     THEN /\ pc' = [pc EXCEPT ![self] = "rdcx"]
                          /\ ct' = ct
                     ELSE /\ ct' = [ct EXCEPT ![self] = ctr["T"].lo]
                          /\ pc' = [pc EXCEPT ![self] = "rdcu"]
               /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                               invd, res, done, stack, c, w, tg, ix, pv, cnt, 
                               g, cr, p, nw, sct, sch, stries, ht, rr, lc, k, 
                               ntag, x, e, ne, pat, ch, tries >>

rdcx(self) == /\ pc[self] = "rdcx"
              /\ threshold' = threshold - 1
              /\ res' = [res EXCEPT ![self][k[self]] = EMPTY]
              /\ done' = (done \cup {<<self, k[self]>>})
              /\ k' = [k EXCEPT ![self] = k[self] + 1]
              /\ x' = [x EXCEPT ![self] = 0]
              /\ e' = [e EXCEPT ![self] = NoLo]
              /\ ne' = [ne EXCEPT ![self] = NoLo]
              /\ pat' = [pat EXCEPT ![self] = 0]
              /\ ct' = [ct EXCEPT ![self] = 0]
              /\ ch' = [ch EXCEPT ![self] = 0]
              /\ tries' = [tries EXCEPT ![self] = 0]
              /\ IF k'[self] > Len(Prog[self])
                    THEN /\ pc' = [pc EXCEPT ![self] = "Done"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "op"]
              /\ UNCHANGED << sc, entry, ctr, loc, req, p2, p2seq, invd, stack, 
                              c, w, tg, ix, pv, cnt, g, cr, p, nw, sct, sch, 
                              stries, ht, rr, lc, ntag >>

rdth(self) == /\ pc[self] = "rdth"
              /\ LET old == threshold IN
                   /\ threshold' = old - 1
                   /\ IF old <= 0
                         THEN /\ res' = [res EXCEPT ![self][k[self]] = EMPTY]
                              /\ done' = (done \cup {<<self, k[self]>>})
                              /\ k' = [k EXCEPT ![self] = k[self] + 1]
                              /\ x' = [x EXCEPT ![self] = 0]
                              /\ e' = [e EXCEPT ![self] = NoLo]
                              /\ ne' = [ne EXCEPT ![self] = NoLo]
                              /\ pat' = [pat EXCEPT ![self] = 0]
                              /\ ct' = [ct EXCEPT ![self] = 0]
                              /\ ch' = [ch EXCEPT ![self] = 0]
                              /\ tries' = [tries EXCEPT ![self] = 0]
                              /\ IF k'[self] > Len(Prog[self])
                                    THEN /\ pc' = [pc EXCEPT ![self] = "Done"]
                                    ELSE /\ pc' = [pc EXCEPT ![self] = "op"]
                         ELSE /\ IF pat[self] > 0
                                    THEN /\ pc' = [pc EXCEPT ![self] = "rd1"]
                                    ELSE /\ pc' = [pc EXCEPT ![self] = "rds0"]
                              /\ UNCHANGED << res, done, k, x, e, ne, pat, ct, 
                                              ch, tries >>
              /\ UNCHANGED << sc, entry, ctr, loc, req, p2, p2seq, invd, stack, 
                              c, w, tg, ix, pv, cnt, g, cr, p, nw, sct, sch, 
                              stries, ht, rr, lc, ntag >>

rds0(self) == /\ pc[self] = "rds0"
              /\ ntag' = [ntag EXCEPT ![self] = ntag[self] + 1]
              /\ loc' = [loc EXCEPT ![self]["H"] = [hi |-> ntag'[self], lo |-> L(x[self], FALSE, TRUE)]]
              /\ req' = [req EXCEPT ![self] = [b |-> ntag'[self], kind |-> KDeq, idx |-> 0, init |-> x[self], e |-> ntag'[self]]]
              /\ /\ c' = [c EXCEPT ![self] = "H"]
                 /\ ix' = [ix EXCEPT ![self] = 0]
                 /\ pv' = [pv EXCEPT ![self] = L(x[self], FALSE, TRUE)]
                 /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "slow_loop",
                                                          pc        |->  "rds2",
                                                          cnt       |->  cnt[self],
                                                          g         |->  g[self],
                                                          cr        |->  cr[self],
                                                          p         |->  p[self],
                                                          nw        |->  nw[self],
                                                          sct       |->  sct[self],
                                                          sch       |->  sch[self],
                                                          stries    |->  stries[self],
                                                          c         |->  c[self],
                                                          w         |->  w[self],
                                                          tg        |->  tg[self],
                                                          ix        |->  ix[self],
                                                          pv        |->  pv[self] ] >>
                                                      \o stack[self]]
                 /\ tg' = [tg EXCEPT ![self] = ntag'[self]]
                 /\ w' = [w EXCEPT ![self] = self]
              /\ cnt' = [cnt EXCEPT ![self] = 0]
              /\ g' = [g EXCEPT ![self] = NoCtr]
              /\ cr' = [cr EXCEPT ![self] = NoP2]
              /\ p' = [p EXCEPT ![self] = NoEntry]
              /\ nw' = [nw EXCEPT ![self] = NoLo]
              /\ sct' = [sct EXCEPT ![self] = 0]
              /\ sch' = [sch EXCEPT ![self] = 0]
              /\ stries' = [stries EXCEPT ![self] = 0]
              /\ pc' = [pc EXCEPT ![self] = "si0"]
              /\ UNCHANGED << sc, entry, ctr, threshold, p2, p2seq, invd, res, 
                              done, ht, rr, lc, k, x, e, ne, pat, ct, ch, 
                              tries >>

rds2(self) == /\ pc[self] = "rds2"
              /\ req' = [req EXCEPT ![self].b = ntag[self] + 1]
              /\ x' = [x EXCEPT ![self] = loc[self]["H"].lo.v]
              /\ pc' = [pc EXCEPT ![self] = "rds4"]
              /\ UNCHANGED << sc, entry, ctr, threshold, loc, p2, p2seq, invd, 
                              res, done, stack, c, w, tg, ix, pv, cnt, g, cr, 
                              p, nw, sct, sch, stries, ht, rr, lc, k, ntag, e, 
                              ne, pat, ct, ch, tries >>

rds4(self) == /\ pc[self] = "rds4"
              /\ LET ee == entry[Pos(x[self])].lo IN
                   IF ee.c = Cyc(x[self]) /\ ~FEmpty(ee.f)
                      THEN /\ e' = [e EXCEPT ![self] = ee]
                           /\ IF ~ee.enq
                                 THEN /\ pc' = [pc EXCEPT ![self] = "rds5"]
                                 ELSE /\ pc' = [pc EXCEPT ![self] = "rdfo"]
                           /\ UNCHANGED << res, done, k, x, ne, pat, ct, ch, 
                                           tries >>
                      ELSE /\ res' = [res EXCEPT ![self][k[self]] = EMPTY]
                           /\ done' = (done \cup {<<self, k[self]>>})
                           /\ k' = [k EXCEPT ![self] = k[self] + 1]
                           /\ x' = [x EXCEPT ![self] = 0]
                           /\ e' = [e EXCEPT ![self] = NoLo]
                           /\ ne' = [ne EXCEPT ![self] = NoLo]
                           /\ pat' = [pat EXCEPT ![self] = 0]
                           /\ ct' = [ct EXCEPT ![self] = 0]
                           /\ ch' = [ch EXCEPT ![self] = 0]
                           /\ tries' = [tries EXCEPT ![self] = 0]
                           /\ IF k'[self] > Len(Prog[self])
                                 THEN /\ pc' = [pc EXCEPT ![self] = "Done"]
                                 ELSE /\ pc' = [pc EXCEPT ![self] = "op"]
              /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                              invd, stack, c, w, tg, ix, pv, cnt, g, cr, p, nw, 
                              sct, sch, stries, ht, rr, lc, ntag >>

rds5(self) == /\ pc[self] = "rds5"
              /\ /\ ht' = [ht EXCEPT ![self] = x[self]]
                 /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "enq_complete_for",
                                                          pc        |->  "rdfo",
                                                          rr        |->  rr[self],
                                                          lc        |->  lc[self],
                                                          ht        |->  ht[self] ] >>
                                                      \o stack[self]]
              /\ rr' = [rr EXCEPT ![self] = 1]
              /\ lc' = [lc EXCEPT ![self] = NoLocal]
              /\ pc' = [pc EXCEPT ![self] = "ec0"]
              /\ UNCHANGED << sc, entry, ctr, threshold, loc, req, p2, p2seq, 
                              invd, res, done, c, w, tg, ix, pv, cnt, g, cr, p, 
                              nw, sct, sch, stries, k, ntag, x, e, ne, pat, ct, 
                              ch, tries >>

th(self) == op(self) \/ re1(self) \/ ref0(self) \/ ref1(self) \/ ref2(self)
               \/ rtr(self) \/ rtr2(self) \/ res0(self) \/ rfx1(self)
               \/ rfx2(self) \/ res2(self) \/ rdh(self) \/ rd1(self)
               \/ rdf0(self) \/ rdfcas(self) \/ rdfc(self) \/ rdfo(self)
               \/ rdft(self) \/ rdcu(self) \/ rdcu1(self) \/ rdcu2(self)
               \/ rdcx(self) \/ rdth(self) \/ rds0(self) \/ rds2(self)
               \/ rds4(self) \/ rds5(self)

(* Allow infinite stuttering to prevent deadlock on termination. *)
Terminating == /\ \A self \in ProcSet: pc[self] = "Done"
               /\ UNCHANGED vars

Next == (\E self \in ProcSet: slow_loop(self) \/ enq_complete_for(self))
           \/ (\E self \in Threads: th(self))
           \/ Terminating

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Threads : /\ WF_vars(th(self))
                                 /\ WF_vars(slow_loop(self))
                                 /\ WF_vars(enq_complete_for(self))

Termination == <>(\A self \in ProcSet: pc[self] = "Done")

\* END TRANSLATION

(***************************************************************************)
(* The specification checked: the translation plus the step counter.      *)
(* steps[w] counts thread w's actions since its current operation began   *)
(* (the invocation action is the first); it is reset to 0 by the action   *)
(* that completes the operation.  So StepBoundOK (steps[w] < StepBound in *)
(* every state) says: every operation completes within StepBound of its   *)
(* own actions, whatever the other thread does (TLC explores every        *)
(* interleaving).                                                          *)
(***************************************************************************)
ThreadAct(self) == th(self) \/ slow_loop(self) \/ enq_complete_for(self)

Count(self) ==
    steps' = [steps EXCEPT ![self] = IF pc'[self] \in {"op", "Done"} THEN 0 ELSE @ + 1]

SNext == \/ \E self \in Threads : ThreadAct(self) /\ Count(self)
         \/ Terminating /\ UNCHANGED steps

SSpec == /\ Init /\ steps = [ww \in Threads |-> 0]
         /\ [][SNext]_<<vars, steps>>
         /\ \A self \in Threads : WF_<<vars, steps>>(ThreadAct(self) /\ Count(self))

(***************************************************************************)
(* Properties                                                              *)
(***************************************************************************)
AllDone == \A ww \in Threads : pc[ww] = "Done"
Ops == UNION {{<<ww, i>> : i \in 1..Len(Prog[ww])} : ww \in Threads}
OpOf(o) == Prog[o[1]][o[2]]
ResOf(o) == res[o[1]][o[2]]

\* The items a quiescent ring holds, in FIFO order (wcq_destroy()'s walk):
\* positions [Head, Tail) whose entry holds an index of the position's cycle.
RingContents ==
    LET hd == ctr["H"].lo
        tl == ctr["T"].lo
        len == IF tl > hd THEN tl - hd ELSE 0
        at(t) == IF entry[Pos(t)].lo.c = Cyc(t) /\ ~FEmpty(entry[Pos(t)].lo.f)
                 THEN entry[Pos(t)].lo.f ELSE -1
    IN SelectSeq([i \in 1..len |-> at(hd + i - 1)], LAMBDA y : y # -1)

\* Is there a linearization of the operations rem, respecting real-time order
\* (o2 before o when o2 completed before o was invoked), from abstract queue q,
\* ending with the ring's contents?
RECURSIVE LinFrom(_, _)
LinFrom(q, rem) ==
    IF rem = {} THEN q = RingContents
    ELSE \E o \in rem :
           /\ \A o2 \in rem : o2 \notin invd[o[1]][o[2]]
           /\ IF OpOf(o).op = "enq"
                 THEN ResOf(o) = ENQOK /\ LinFrom(Append(q, OpOf(o).v), rem \ {o})
              ELSE IF q = << >>
                 THEN ResOf(o) = EMPTY /\ LinFrom(q, rem \ {o})
              ELSE ResOf(o) = Head(q) /\ LinFrom(Tail(q), rem \ {o})

\* FIFO linearizability of the complete history (every behaviour terminates,
\* so every history is checked once complete); includes "EMPTY justified"
\* and "no item lost or duplicated" (the quiescent ring must hold exactly
\* what the abstract queue holds).
Linearizable == AllDone => LinFrom(sc.init, Ops)

\* In every state: no index is in two entries, or in an entry and returned by
\* a dequeue, or returned twice (each value is enqueued at most once).
Holders(v) == {pp \in 0..N-1 : entry[pp].lo.f = v}
Returned(v) == {o \in done : OpOf(o).op = "deq" /\ ResOf(o) = v}
Supplied(v) == Cardinality({o \in Ops : OpOf(o).op = "enq" /\ OpOf(o).v = v})
               + Cardinality({i \in 1..Len(sc.init) : sc.init[i] = v})
NoDuplicate == \A v \in 0..n-1 : Cardinality(Holders(v)) + Cardinality(Returned(v)) <= Supplied(v)

\* Wait-freedom, bounded: every operation completes within StepBound of its
\* own actions.
StepBoundOK == \A ww \in Threads : steps[ww] < StepBound

TypeOK ==
    /\ \A pp \in 0..N-1 : entry[pp].lo.f \in 0..N-1
    /\ threshold \in -100..FULL
    /\ \A ww \in Threads : pc[ww] = "Done" \/ steps[ww] \in 0..StepBound

\* Liveness (under weak fairness of each thread): everyone finishes.
AllFinish == <>AllDone

\* Scenarios
Enq(v) == [op |-> "enq", v |-> v]
Deq == [op |-> "deq", v |-> 0]
\* MC_WCQ.cfg: Scenarios <- MCScenarios (NT = 2)
\*  - empty ring (aq-like): T1 enqueues 0 then dequeues, T2 enqueues 1;
\*  - full ring <<0, 1>> (fq-like): T1 dequeues twice, T2 once.
MCScenarios ==
    { [init |-> << >>,     prog |-> << << Enq(0), Deq >>, << Enq(1) >> >>],
      [init |-> << 0, 1 >>, prog |-> << << Deq, Deq >>, << Deq >> >>] }
\* larger (not in MC_WCQ.cfg: about 3M states / 2.5 CPU-minutes with the step counter)
BigScenarios ==
    { [init |-> << >>, prog |-> << << Enq(0), Deq >>, << Enq(1), Deq >> >>] }
\* three threads (NT = 3)
Scenarios3 ==
    { [init |-> << >>,     prog |-> << << Enq(0) >>, << Enq(1) >>, << Deq >> >>],
      [init |-> << 0, 1 >>, prog |-> << << Deq >>, << Deq >>, << Deq >> >>] }

=============================================================================
