------------------------------ MODULE SkipList ------------------------------
(***************************************************************************)
(* libconcoll's lock-free skip list (after Fraser), src/map/skiplist.c, as *)
(* implemented: sl_search_k() with the unlinking ("snip") of the marked    *)
(* nodes it passes, sl_lookup_k() (read-only, skips marked nodes),         *)
(* sl_update() in the modes PUT_IF_ABSENT ("add") and PUT ("put"),         *)
(* sl_raise() (the bottom-up linking of the index levels, with the         *)
(* RAISING / HANDOFF state bits), sl_remove(), sl_mark_index() and         *)
(* sl_finish_removal() (fast path with the remover's hints, else a         *)
(* SL_UPTO search), and the retirement of the removed node.               *)
(*                                                                         *)
(* Memory: a node's next pointers are words [p |-> node, m |-> mark];      *)
(* the value half of the { value, next0 } 16-byte pair is val[n].  Each    *)
(* pair CAS (sl_pair_cas()) is one atomic step comparing both halves and   *)
(* changing one half.  sl_next0_cas() retries the pair CAS while only the  *)
(* value half changed: it is modelled as one CAS on the next half.         *)
(* Every other shared load / store / CAS / fetch-or is its own step;       *)
(* local computation is folded into the step before it.                    *)
(*                                                                         *)
(* Not modelled: pop_first's descriptor (SL_DESC) and pop_last, scans,     *)
(* find's navigation modes other than EQ, REPLACE modes, remove's          *)
(* if_equal, comparator errors (so sl_unlink_walk()), the release          *)
(* callbacks.  Nodes are never reused: every insert operation has its own  *)
(* node id (NodeId), allocated at most once; cc_smr_retire() only records  *)
(* the node in the ghost set `retired` (reclamation is modelled elsewhere) *)
(* and we check that a retired node is linked at no level.                 *)
(*                                                                         *)
(* Linearizability: a ghost abstract map Abs (key -> value or NONE) is     *)
(* updated at the C code's linearization points: the level-0 link CAS      *)
(* (insert), the value half CAS (replace), the level-0 mark CAS (remove).  *)
(* Each operation's return value is checked there against Abs.  The       *)
(* read-only outcomes (contains found / not found, put_if_absent's         *)
(* -EEXIST value, remove's -ENOENT) are checked against `seen`, the set of *)
(* values Abs held for the key at some moment of the call (an interval     *)
(* check, exact for read-only outcomes); where there is a single deciding  *)
(* read (contains found, -EEXIST) its presence is also checked at that     *)
(* read.  contains-not-found has no single point: sl_lookup_k() passes     *)
(* marked nodes without unlinking them, so the key is only known to have   *)
(* been absent at some moment of the call.                                 *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, TLC

CONSTANTS Prog,      \* Prog[t]: the operations of thread t (a sequence)
          MaxLevel,  \* SL_MAX_LEVEL of the model (node heights 1..MaxLevel)
          Keys       \* the keys the operations use

\* The operations.  The value an add/put stores is its own op id.
Add(k) == [op |-> "add", key |-> k]   \* update(CC_MAP_PUT_IF_ABSENT)
Put(k) == [op |-> "put", key |-> k]   \* update(CC_MAP_PUT)
Rem(k) == [op |-> "rem", key |-> k]   \* remove(if_equal = false)
Get(k) == [op |-> "get", key |-> k]   \* find(CONCOLL_NAV_EQ): sl_lookup()

\* The model checked by MC_SkipList.cfg (Prog <- MCProg): 2 threads, 3
\* operations each, keys {1, 2}, heights {1, 2}.  It reaches every path
\* above: HANDOFF, the raise retry, a replacement racing a removal, a removed
\* pred, a re-insertion while the old node is still in the index.
MCProg == << << Add(1), Rem(1), Rem(2) >>, << Add(2), Get(2), Put(1) >> >>

\* FALSE: sl_lookup_k() exactly as in the C code.  TLC then finds a find()
\* that misses a key present during the whole call (LinContains; mutant
\* lookup_as_in_C): a remover stalled between its level-0 mark and
\* sl_mark_index() leaves its node unmarked at level 1; the node is unlinked
\* at level 0 and the key k is inserted at level 0 behind the node's frozen
\* next0; the lookup takes the node as pred at level 1 (next[1] unmarked,
\* key < k) and descends along its stale next0.
\* TRUE (checked by MC_SkipList.cfg): the fix proposed in the report: at a
\* level i > 0, cur becomes pred only if sl_load_next0(cur) is unmarked
\* (else cur is skipped as if marked), step LFix.
LookupFix == TRUE

Threads == DOMAIN Prog
HEAD == 0
NIL == -1
NONE == -1          \* Abs: no value for the key
RAISING == 1        \* SL_RAISING
HANDOFF == 2        \* SL_HANDOFF

NodeId(t, j) == 10 * t + j
Nodes == UNION { { NodeId(t, j) :
                    j \in { jj \in 1 .. Len(Prog[t]) : Prog[t][jj].op \in {"add", "put"} } } :
                  t \in Threads }
AllNodes == Nodes \cup {HEAD}
Levels == 0 .. MaxLevel - 1
Key(n) == IF n = HEAD THEN 0 ELSE Prog[n \div 10][n % 10].key
Cmp(a, b) == IF a < b THEN -1 ELSE IF a = b THEN 0 ELSE 1
Max(a, b) == IF a > b THEN a ELSE b
W(p, m) == [p |-> p, m |-> m]
NoW == W(NIL, FALSE)

VARIABLES nxt,      \* nxt[n][i]: n's next pointer at level i (i = 0: next0)
          val,      \* val[n]: the value half of n's { value, next0 } pair
          hgt,      \* hgt[n]: n->level (0: not allocated yet)
          st,       \* st[n]: n->state (RAISING, RAISING + HANDOFF, 0)
          top,      \* m->top
          loc,      \* loc[t]: thread t's pc and registers
          Abs,      \* ghost: the abstract map
          seen,     \* ghost: values of Abs[key] during t's current call
          linked,   \* ghost: nodes linked at level 0
          retired,  \* ghost: nodes handed to cc_smr_retire()
          viol      \* ghost: "none", or the kind of the first wrong result

vars == <<nxt, val, hgt, st, top, loc, Abs, seen, linked, retired, viol>>

Idle(i) == [pc |-> "idle", opi |-> i, smode |-> "BELOW", sret |-> "none",
            topv |-> 1, lvl |-> 0, pred |-> HEAD, cur |-> NIL, stop |-> NIL,
            sord |-> 1, ord |-> 1, eq |-> FALSE,
            preds |-> [x \in Levels |-> HEAD], succs |-> [x \in Levels |-> NIL],
            nd |-> NIL, v |-> NONE, w |-> NoW, ri |-> 0]

Op(t) == Prog[t][loc[t].opi]
OpK(t) == Op(t).key
MyVal(t) == NodeId(t, loc[t].opi)

Init == /\ nxt = [n \in AllNodes |-> [i \in Levels |-> NoW]]
        /\ val = [n \in AllNodes |-> n]
        /\ hgt = [n \in AllNodes |-> IF n = HEAD THEN MaxLevel ELSE 0]
        /\ st = [n \in AllNodes |-> 0]
        /\ top = 1
        /\ loc = [t \in Threads |-> Idle(1)]
        /\ Abs = [k \in Keys |-> NONE]
        /\ seen = [t \in Threads |-> {}]
        /\ linked = {}
        /\ retired = {}
        /\ viol = "none"

\* ---- ghost helpers ------------------------------------------------------
Check(cond, kind) == IF ~cond /\ viol = "none" THEN kind ELSE viol
\* Abs[k] takes the value x: every call on k in progress has seen it.
SeenUpd(k, x) == [u \in Threads |->
                    IF loc[u].pc # "idle" /\ loc[u].opi <= Len(Prog[u])
                       /\ Prog[u][loc[u].opi].key = k
                    THEN seen[u] \cup {x} ELSE seen[u]]
\* The call returns: next operation, registers cleared.
Ret(t) == loc' = [loc EXCEPT ![t] = Idle(loc[t].opi + 1)]

\* ---- sl_search_k(): register transitions -------------------------------
\* retry: pred = head, from level top - 1 (top: the hint read at the call)
SRetry(L) == [L EXCEPT !.pred = HEAD, !.cur = NIL, !.stop = NIL, !.sord = 1,
                       !.ord = 1, !.lvl = L.topv - 1, !.pc = "s_lvl", !.w = NoW]
\* a call of sl_search(): its first step loads m->top
SCall(L, mode, ret) == [L EXCEPT !.pc = "s_top", !.smode = mode, !.sret = ret]
\* the end: levels >= top get head / NULL; eq = succs[0] && order == 0
SEnd(L) == [L EXCEPT !.preds = [x \in Levels |-> IF x >= L.topv THEN HEAD ELSE L.preds[x]],
                     !.succs = [x \in Levels |-> IF x >= L.topv THEN NIL ELSE L.succs[x]],
                     !.eq = (L.succs[0] # NIL /\ L.ord = 0),
                     !.pc = L.sret, !.pred = HEAD, !.cur = NIL, !.stop = NIL,
                     !.sord = 1, !.ord = 1, !.lvl = 0, !.topv = 1, !.sret = "none"]
\* the walk of level lvl ended at cur with order o: preds/succs, stop
SLevelEnd(L, o) ==
  LET L2 == [L EXCEPT !.preds[L.lvl] = L.pred, !.succs[L.lvl] = L.cur,
                      !.stop = L.cur, !.sord = o, !.ord = o]
  IN IF L.lvl = 0 THEN SEnd(L2) ELSE [L2 EXCEPT !.lvl = L.lvl - 1, !.pc = "s_lvl"]
\* if (!cur) { order = 1; break; }
SAfterCur(L) == IF L.cur = NIL THEN SLevelEnd(L, 1) ELSE [L EXCEPT !.pc = "s_cur"]

\* ---- sl_search_k(): the steps -------------------------------------------
\* sl_search_k(): top = load(m->top) (a hint, read once per call)
STop(t) == LET L == loc[t] IN
  /\ L.pc = "s_top"
  /\ loc' = [loc EXCEPT ![t] = SRetry([L EXCEPT !.topv = top])]
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, seen, linked, retired, viol>>

\* sl_search_k(): w = sl_load_next(pred, i); if (w & SL_MARK) goto retry
SLvl(t) == LET L == loc[t]
               wd == nxt[L.pred][L.lvl] IN
  /\ L.pc = "s_lvl"
  /\ loc' = [loc EXCEPT ![t] = IF wd.m THEN SRetry(L)
                                ELSE SAfterCur([L EXCEPT !.cur = wd.p])]
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, seen, linked, retired, viol>>

\* sl_search_k(): cn = sl_load_next(cur, i); marked: snip; cur == stop; compare
SCur(t) == LET L == loc[t]
               c == L.cur
               cn == nxt[c][L.lvl]
               o == Cmp(Key(c), OpK(t))
           IN
  /\ L.pc = "s_cur"
  /\ loc' = [loc EXCEPT ![t] =
        IF cn.m THEN [L EXCEPT !.w = cn, !.pc = "s_snip"]
        ELSE IF c = L.stop THEN SLevelEnd(L, L.sord)
        ELSE IF (IF L.smode = "BELOW" THEN o >= 0 ELSE o > 0) THEN SLevelEnd(L, o)
        ELSE SAfterCur([L EXCEPT !.pred = c, !.cur = cn.p])]
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, seen, linked, retired, viol>>

\* sl_search_k() -> sl_snip(pred, cur, i, cn & ~SL_MARK): CAS pred's next at
\* level i from cur (unmarked) to cur's successor; failed: goto retry
SSnip(t) == LET L == loc[t]
                ok == nxt[L.pred][L.lvl] = W(L.cur, FALSE) IN
  /\ L.pc = "s_snip"
  /\ nxt' = IF ok THEN [nxt EXCEPT ![L.pred][L.lvl] = W(L.w.p, FALSE)] ELSE nxt
  /\ loc' = [loc EXCEPT ![t] = IF ok THEN SAfterCur([L EXCEPT !.cur = L.w.p, !.w = NoW])
                                ELSE SRetry(L)]
  /\ UNCHANGED <<val, hgt, st, top, Abs, seen, linked, retired, viol>>

\* ---- the calls ------------------------------------------------------------
\* sl_update() / sl_remove(): sl_search(SL_BELOW); sl_find(EQ): sl_lookup(),
\* whose first step loads m->top (the call's first shared access)
Start(t) == LET L == loc[t] IN
  /\ L.pc = "idle"
  /\ L.opi <= Len(Prog[t])
  /\ seen' = [seen EXCEPT ![t] = {Abs[OpK(t)]}]
  /\ loc' = [loc EXCEPT ![t] =
        IF Op(t).op = "get"
        THEN [L EXCEPT !.pc = "l_lvl", !.topv = top, !.lvl = top - 1]
        ELSE SRetry([L EXCEPT !.topv = top, !.smode = "BELOW",
                              !.sret = IF Op(t).op = "rem" THEN "m_found" ELSE "u_found"])]
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, linked, retired, viol>>

\* ---- sl_update() (PUT_IF_ABSENT, PUT) -------------------------------------
\* sl_update() after sl_search(): eq: v = sl_ld_value(cur = succs[0]);
\* else n = sl_node_new() (once, height 1..MaxLevel), n's next[] = succs[]
\* (stores to the unpublished node), sl_next0_cas(preds[0], succs[0], n):
\* the linearization point of an insertion
UFound(t) == LET L == loc[t]
                 k == OpK(t)
                 n == NodeId(t, L.opi) IN
  /\ L.pc = "u_found"
  /\ IF L.eq
     THEN /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.nd = L.succs[0], !.v = val[L.succs[0]],
                                                 !.pc = "u_ldw"]]
          /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, seen, linked, retired, viol>>
     ELSE \E h \in (IF hgt[n] = 0 THEN 1 .. MaxLevel ELSE {hgt[n]}) :
          LET lv == 0
              ok == nxt[L.preds[lv]][lv] = W(L.succs[lv], FALSE)
              fields == [i \in Levels |-> IF i < h THEN W(L.succs[i], FALSE) ELSE NoW]
          IN /\ hgt' = [hgt EXCEPT ![n] = h]
             /\ st' = [st EXCEPT ![n] = IF h > 1 THEN RAISING ELSE 0]
             /\ IF ok
                THEN /\ nxt' = [nxt EXCEPT ![n] = fields, ![L.preds[lv]][lv] = W(n, FALSE)]
                     /\ Abs' = [Abs EXCEPT ![k] = val[n]]
                     /\ viol' = Check(Abs[k] = NONE, "insert")
                     /\ linked' = linked \cup {n}
                     /\ IF h > 1
                        THEN /\ seen' = SeenUpd(k, val[n])
                             /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.nd = n, !.pc = "r_top"]]
                        ELSE /\ seen' = [SeenUpd(k, val[n]) EXCEPT ![t] = {}]
                             /\ Ret(t)
                ELSE /\ loc' = [loc EXCEPT ![t] = SCall(L, "BELOW", "u_found")]
                     /\ UNCHANGED <<nxt, Abs, viol, linked, seen>>
             /\ UNCHANGED <<val, top, retired>>

\* sl_update(): v = sl_ld_value(cur) (the retry of the inner loop)
ULdv(t) == LET L == loc[t] IN
  /\ L.pc = "u_ldv"
  /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.v = val[L.nd], !.pc = "u_ldw"]]
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, seen, linked, retired, viol>>

\* sl_update(): w = sl_load_next0(cur); marked: search again;
\* PUT_IF_ABSENT: -EEXIST with *old = v
ULdw(t) == LET L == loc[t]
               wd == nxt[L.nd][0] IN
  /\ L.pc = "u_ldw"
  /\ IF wd.m
     THEN /\ loc' = [loc EXCEPT ![t] = SCall([L EXCEPT !.nd = NIL, !.v = NONE],
                                             "BELOW", "u_found")]
          /\ UNCHANGED <<seen, viol>>
     ELSE IF Op(t).op = "add"
     THEN /\ viol' = Check(Abs[OpK(t)] # NONE /\ L.v \in seen[t], "insert")
          /\ seen' = [seen EXCEPT ![t] = {}]
          /\ Ret(t)
     ELSE /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.w = wd, !.pc = "u_cas"]]
          /\ UNCHANGED <<seen, viol>>
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, linked, retired>>

\* sl_update(): sl_pair_cas(cur, v, w, value, w): the linearization point
\* of a replacement (returns 1, *old = v); failed: reload
UCas(t) == LET L == loc[t]
               k == OpK(t)
               ok == val[L.nd] = L.v /\ nxt[L.nd][0] = L.w IN
  /\ L.pc = "u_cas"
  /\ IF ok
     THEN /\ val' = [val EXCEPT ![L.nd] = MyVal(t)]
          /\ Abs' = [Abs EXCEPT ![k] = MyVal(t)]
          /\ viol' = Check(Abs[k] = L.v, "insert")
          /\ seen' = [SeenUpd(k, MyVal(t)) EXCEPT ![t] = {}]
          /\ Ret(t)
     ELSE /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.pc = "u_ldv", !.w = NoW]]
          /\ UNCHANGED <<val, Abs, viol, seen>>
  /\ UNCHANGED <<nxt, hgt, st, top, linked, retired>>

\* ---- sl_raise(): link n's index levels, bottom-up --------------------------
\* sl_raise(): top = max(top, n->level) (a CAS-weak loop: an atomic max)
RTop(t) == LET L == loc[t] IN
  /\ L.pc = "r_top"
  /\ top' = Max(top, hgt[L.nd])
  /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.ri = 1, !.pc = "r_old"]]
  /\ UNCHANGED <<nxt, val, hgt, st, Abs, seen, linked, retired, viol>>

\* sl_raise(): old = load(n->next[i]); marked: goto done;
\* old != succs[i]: CAS n->next[i] (next step)
ROld(t) == LET L == loc[t]
               old == nxt[L.nd][L.ri] IN
  /\ L.pc = "r_old"
  /\ loc' = [loc EXCEPT ![t] =
        IF old.m THEN [L EXCEPT !.pc = "r_done"]
        ELSE IF old # W(L.succs[L.ri], FALSE) THEN [L EXCEPT !.w = old, !.pc = "r_fixn"]
        ELSE [L EXCEPT !.pc = "r_link"]]
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, seen, linked, retired, viol>>

\* sl_raise(): CAS(n->next[i], old, succs[i]); failed: continue (reload)
RFixn(t) == LET L == loc[t]
                ok == nxt[L.nd][L.ri] = L.w IN
  /\ L.pc = "r_fixn"
  /\ nxt' = IF ok THEN [nxt EXCEPT ![L.nd][L.ri] = W(L.succs[L.ri], FALSE)] ELSE nxt
  /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.w = NoW, !.pc = IF ok THEN "r_link" ELSE "r_old"]]
  /\ UNCHANGED <<val, hgt, st, top, Abs, seen, linked, retired, viol>>

\* sl_raise(): CAS(preds[i]->next[i], succs[i], n); failed: sl_search(SL_BELOW)
RLink(t) == LET L == loc[t]
                p == L.preds[L.ri]
                ok == nxt[p][L.ri] = W(L.succs[L.ri], FALSE) IN
  /\ L.pc = "r_link"
  /\ nxt' = IF ok THEN [nxt EXCEPT ![p][L.ri] = W(L.nd, FALSE)] ELSE nxt
  /\ loc' = [loc EXCEPT ![t] =
        IF ~ok THEN SCall(L, "BELOW", "r_after")
        ELSE IF L.ri + 1 < hgt[L.nd] THEN [L EXCEPT !.ri = L.ri + 1, !.pc = "r_old"]
        ELSE [L EXCEPT !.pc = "r_done"]]
  /\ UNCHANGED <<val, hgt, st, top, Abs, seen, linked, retired, viol>>

\* sl_raise(): after the search: if (sl_ld_next0(n) & SL_MARK) goto done
RAfter(t) == LET L == loc[t] IN
  /\ L.pc = "r_after"
  /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.pc = IF nxt[L.nd][0].m THEN "r_done" ELSE "r_old"]]
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, seen, linked, retired, viol>>

\* sl_raise() done: CAS(n->state, RAISING, 0); failed (HANDOFF):
\* sl_finish_removal(inserter, no hints): sl_search(SL_UPTO), retire
RDone(t) == LET L == loc[t]
                ok == st[L.nd] = RAISING IN
  /\ L.pc = "r_done"
  /\ st' = IF ok THEN [st EXCEPT ![L.nd] = 0] ELSE st
  /\ IF ok THEN /\ Ret(t) /\ seen' = [seen EXCEPT ![t] = {}]
           ELSE /\ loc' = [loc EXCEPT ![t] = SCall(L, "UPTO", "f_retire")]
                /\ UNCHANGED seen
  /\ UNCHANGED <<nxt, val, hgt, top, Abs, linked, retired, viol>>

\* ---- sl_remove(), sl_mark_index(), sl_finish_removal() ---------------------
\* sl_finish_removal(): the fast path at level i: hint_succs[i] == n, then
\* sl_snip(hint_preds[i], n, i, load(n->next[i])) (next step); else search
FastPath(L, i) == IF L.succs[i] # L.nd THEN SCall(L, "UPTO", "f_retire")
                  ELSE [L EXCEPT !.ri = i, !.pc = "f_snip"]

\* sl_remove() after sl_search(): !eq: -ENOENT (read-only outcome: the key
\* was absent at some moment of the call); else v = sl_ld_value(cur = succs[0])
MFound(t) == LET L == loc[t] IN
  /\ L.pc = "m_found"
  /\ IF ~L.eq
     THEN /\ viol' = Check(NONE \in seen[t], "remove")
          /\ seen' = [seen EXCEPT ![t] = {}]
          /\ Ret(t)
     ELSE /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.nd = L.succs[0], !.v = val[L.succs[0]],
                                                 !.pc = "m_ldw"]]
          /\ UNCHANGED <<seen, viol>>
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, linked, retired>>

\* sl_remove(): v = sl_ld_value(cur) (the retry of the inner loop)
MLdv(t) == LET L == loc[t] IN
  /\ L.pc = "m_ldv"
  /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.v = val[L.nd], !.pc = "m_ldw"]]
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, seen, linked, retired, viol>>

\* sl_remove(): w = sl_load_next0(cur); marked: search again
MLdw(t) == LET L == loc[t]
               wd == nxt[L.nd][0] IN
  /\ L.pc = "m_ldw"
  /\ loc' = [loc EXCEPT ![t] =
        IF wd.m THEN SCall([L EXCEPT !.nd = NIL, !.v = NONE], "BELOW", "m_found")
        ELSE [L EXCEPT !.w = wd, !.pc = "m_cas"]]
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, seen, linked, retired, viol>>

\* sl_remove(): sl_pair_cas(cur, v, w, v, w | SL_MARK): the linearization
\* point of a removal (returns 0, *old = v); failed: reload.  Then
\* sl_mark_index() (levels > 1) or sl_finish_removal()'s fast path
MCas(t) == LET L == loc[t]
               k == OpK(t)
               n == L.nd
               ok == val[n] = L.v /\ nxt[n][0] = L.w IN
  /\ L.pc = "m_cas"
  /\ IF ok
     THEN /\ nxt' = [nxt EXCEPT ![n][0] = W(L.w.p, TRUE)]
          /\ Abs' = [Abs EXCEPT ![k] = NONE]
          /\ viol' = Check(Abs[k] = L.v, "remove")
          /\ seen' = SeenUpd(k, NONE)
          /\ loc' = [loc EXCEPT ![t] = IF hgt[n] > 1
                                      THEN [L EXCEPT !.ri = hgt[n] - 1, !.pc = "m_idx"]
                                      ELSE FastPath(L, 0)]
     ELSE /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.pc = "m_ldv", !.w = NoW]]
          /\ UNCHANGED <<nxt, Abs, viol, seen>>
  /\ UNCHANGED <<val, hgt, st, top, linked, retired>>

\* sl_mark_index(): fetch_or(n->next[i], SL_MARK), i = level-1 .. 1; then
\* sl_finish_removal(remover)
MIdx(t) == LET L == loc[t] IN
  /\ L.pc = "m_idx"
  /\ nxt' = [nxt EXCEPT ![L.nd][L.ri].m = TRUE]
  /\ loc' = [loc EXCEPT ![t] = IF L.ri > 1 THEN [L EXCEPT !.ri = L.ri - 1]
                                ELSE [L EXCEPT !.pc = "f_state"]]
  /\ UNCHANGED <<val, hgt, st, top, Abs, seen, linked, retired, viol>>

\* sl_finish_removal(remover, level > 1): CAS(n->state, RAISING,
\* RAISING | HANDOFF): done, the inserter finishes; failed: the fast path
FState(t) == LET L == loc[t]
                 handoff == st[L.nd] = RAISING IN
  /\ L.pc = "f_state"
  /\ st' = IF handoff THEN [st EXCEPT ![L.nd] = RAISING + HANDOFF] ELSE st
  /\ IF handoff THEN /\ Ret(t) /\ seen' = [seen EXCEPT ![t] = {}]
           ELSE /\ loc' = [loc EXCEPT ![t] = FastPath(L, hgt[L.nd] - 1)]
                /\ UNCHANGED seen
  /\ UNCHANGED <<nxt, val, hgt, top, Abs, linked, retired, viol>>

\* sl_finish_removal() fast path: sl_snip(hint_preds[i], n, i, n->next[i])
\* (n is marked at every level, so its next[i] is frozen: its load and the CAS
\* are one step).  All levels done: cc_smr_retire(); failed: sl_search(SL_UPTO)
FSnip(t) == LET L == loc[t]
                n == L.nd
                i == L.ri
                p == L.preds[i]
                ok == nxt[p][i] = W(n, FALSE) IN
  /\ L.pc = "f_snip"
  /\ nxt' = IF ok THEN [nxt EXCEPT ![p][i] = W(nxt[n][i].p, FALSE)] ELSE nxt
  /\ IF ok /\ i = 0
     THEN /\ retired' = retired \cup {n}
          /\ Ret(t) /\ seen' = [seen EXCEPT ![t] = {}]
     ELSE /\ loc' = [loc EXCEPT ![t] = IF ok THEN FastPath(L, i - 1)
                                       ELSE SCall(L, "UPTO", "f_retire")]
          /\ UNCHANGED <<retired, seen>>
  /\ UNCHANGED <<val, hgt, st, top, Abs, linked, viol>>

\* sl_finish_removal() after sl_search(SL_UPTO): cc_smr_retire(n)
FRetire(t) == LET L == loc[t] IN
  /\ L.pc = "f_retire"
  /\ retired' = retired \cup {L.nd}
  /\ Ret(t) /\ seen' = [seen EXCEPT ![t] = {}]
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, linked, viol>>

\* ---- sl_lookup_k() + sl_find(EQ) ------------------------------------------
\* the walk of level lvl ended at cur: stop = cur, next level; after level 0:
\* *found = NULL (read-only outcome: absent at some moment of the call)
LkLeave(t, L) ==
  IF L.lvl > 0
  THEN /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.stop = L.cur, !.lvl = L.lvl - 1,
                                              !.pc = "l_lvl", !.w = NoW]]
       /\ UNCHANGED <<seen, viol>>
  ELSE /\ viol' = Check(NONE \in seen[t], "contains")
       /\ seen' = [seen EXCEPT ![t] = {}]
       /\ Ret(t)
\* while (cur && cur != stop)
LkAfter(t, L) ==
  IF L.cur # NIL /\ L.cur # L.stop
  THEN /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.pc = "l_cur", !.w = NoW]]
       /\ UNCHANGED <<seen, viol>>
  ELSE LkLeave(t, L)
\* found c: its level-0 next was read unmarked now: the key is present here
LkFound(t, L, c) ==
  /\ viol' = Check(Abs[OpK(t)] # NONE, "contains")
  /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.nd = c, !.pc = "l_val", !.w = NoW]]
  /\ UNCHANGED seen

\* sl_lookup_k(): cur = sl_ptr(sl_load_next(pred, i)) (pred's mark ignored)
LLvl(t) == LET L == loc[t] IN
  /\ L.pc = "l_lvl"
  /\ LkAfter(t, [L EXCEPT !.cur = nxt[L.pred][L.lvl].p])
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, linked, retired>>

\* sl_lookup_k(): cn = sl_load_next(cur, i); marked: skip cur; compare:
\* > key: break; == key: found at level 0, else check next0; < key: pred = cur
LCur(t) == LET L == loc[t]
               c == L.cur
               cn == nxt[c][L.lvl]
               o == Cmp(Key(c), OpK(t)) IN
  /\ L.pc = "l_cur"
  /\ IF cn.m THEN LkAfter(t, [L EXCEPT !.cur = cn.p])
     ELSE IF o > 0 THEN LkLeave(t, L)
     ELSE IF o = 0 /\ L.lvl = 0 THEN LkFound(t, L, c)
     ELSE IF o = 0 THEN /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.pc = "l_ld0"]]
                        /\ UNCHANGED <<seen, viol>>
     ELSE IF LookupFix /\ L.lvl > 0
          THEN /\ loc' = [loc EXCEPT ![t] = [L EXCEPT !.w = cn, !.pc = "l_fix"]]
               /\ UNCHANGED <<seen, viol>>
     ELSE LkAfter(t, [L EXCEPT !.pred = c, !.cur = cn.p])
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, linked, retired>>

\* sl_lookup_k() at level i > 0, key equal: present iff sl_load_next0(cur)
\* is unmarked; else break (stop = cur)
LLd0(t) == LET L == loc[t] IN
  /\ L.pc = "l_ld0"
  /\ IF ~nxt[L.cur][0].m THEN LkFound(t, L, L.cur) ELSE LkLeave(t, L)
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, linked, retired>>

\* (LookupFix only, not in the C code) at level i > 0, before pred = cur:
\* sl_load_next0(cur) marked: skip cur as if marked at level i
LFix(t) == LET L == loc[t] IN
  /\ L.pc = "l_fix"
  /\ IF nxt[L.cur][0].m THEN LkAfter(t, [L EXCEPT !.cur = L.w.p])
     ELSE LkAfter(t, [L EXCEPT !.pred = L.cur, !.cur = L.w.p])
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, linked, retired>>

\* sl_find(): *value_out = sl_ld_value(n) (a value Abs held during the call)
LVal(t) == LET L == loc[t]
               v == val[L.nd] IN
  /\ L.pc = "l_val"
  /\ viol' = Check(v \in seen[t], "contains")
  /\ seen' = [seen EXCEPT ![t] = {}]
  /\ Ret(t)
  /\ UNCHANGED <<nxt, val, hgt, st, top, Abs, linked, retired>>

Next == \E t \in Threads :
          \/ Start(t) \/ STop(t) \/ SLvl(t) \/ SCur(t) \/ SSnip(t)
          \/ UFound(t) \/ ULdv(t) \/ ULdw(t) \/ UCas(t)
          \/ RTop(t) \/ ROld(t) \/ RFixn(t) \/ RLink(t) \/ RAfter(t) \/ RDone(t)
          \/ MFound(t) \/ MLdv(t) \/ MLdw(t) \/ MCas(t) \/ MIdx(t)
          \/ FState(t) \/ FSnip(t) \/ FRetire(t)
          \/ LLvl(t) \/ LCur(t) \/ LLd0(t) \/ LFix(t) \/ LVal(t)

Spec == Init /\ [][Next]_vars

\* ---- invariants -------------------------------------------------------------
Range(s) == {s[j] : j \in DOMAIN s}
\* the nodes reachable from head at level i, in order (a cycle ends in HEAD,
\* which breaks the order)
RECURSIVE ListFrom(_, _, _)
ListFrom(n, i, f) == IF n = NIL THEN << >>
                     ELSE IF f = 0 THEN << HEAD >>
                     ELSE << n >> \o ListFrom(nxt[n][i].p, i, f - 1)
List(i) == ListFrom(nxt[HEAD][i].p, i, Cardinality(Nodes) + 1)
Reach(i) == Range(List(i))

TypeOK == /\ nxt \in [AllNodes -> [Levels -> [p : AllNodes \cup {NIL}, m : BOOLEAN]]]
          /\ top \in 1 .. MaxLevel
          /\ Abs \in [Keys -> Nodes \cup {NONE}]
          /\ linked \subseteq Nodes /\ retired \subseteq Nodes

\* Each level is a sorted list (marked nodes included), without a cycle, that
\* links only nodes at least that high.  Level 0 is strictly sorted; an index
\* level may hold two nodes with one key, one of them removed (marked at
\* level 0) and not yet unlinked there (see StrictlySorted).
Sorted == \A i \in Levels :
            LET s == List(i) IN
              /\ \A j \in 1 .. Len(s) - 1 :
                   \/ Key(s[j]) < Key(s[j + 1])
                   \/ /\ Key(s[j]) = Key(s[j + 1]) /\ i > 0
                      /\ nxt[s[j]][0].m \/ nxt[s[j + 1]][0].m
              /\ \A n \in Range(s) : n # HEAD /\ hgt[n] > i

\* The ordering invariant in its strict form, every level.  NOT an invariant
\* of the C code (not in MC_SkipList.cfg): remove marks level 0 first and the
\* index levels later (sl_mark_index()), so in between an insertion of the
\* same key links its new node at level 1 in front of the removed one.
StrictlySorted == \A i \in Levels :
                    LET s == List(i) IN \A j \in 1 .. Len(s) - 1 : Key(s[j]) < Key(s[j + 1])

\* A node reachable at an index level is reachable at level 0, or removed.
LevelInclusion == \A i \in Levels \ {0} : \A n \in Reach(i) :
                    n \in Reach(0) \/ nxt[n][0].m

\* The level-0 list is the abstract map: the unmarked nodes reachable at
\* level 0 hold exactly Abs (no lost insert, no lost or undone remove).
AbsMatches == \A k \in Keys :
                LET P == {n \in Reach(0) : Key(n) = k /\ ~nxt[n][0].m} IN
                  IF Abs[k] = NONE THEN P = {}
                  ELSE \E n \in P : val[n] = Abs[k]

\* A node linked at level 0 stays reachable there until it is marked.
NoLostInsert == \A n \in linked : ~nxt[n][0].m => n \in Reach(0)

\* A retired node is linked at no level (and no step links it again).
RetiredUnlinked == \A n \in retired : \A i \in Levels : n \notin Reach(i)

\* Every return value matched Abs at the operation's linearization point.
LinInsert == viol # "insert"
LinRemove == viol # "remove"
LinContains == viol # "contains"
=============================================================================
