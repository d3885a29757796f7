/*
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Model of the multi-producer/multi-consumer head/tail protocol of
 * lib/ring/ring.c (move_head, copy, update_tail) for the spin model checker,
 * sequentially consistent: it checks the protocol, not the memory ordering
 * (ring.c's partners A-C do that). 2 producers of K objects each and 2
 * consumers, bulk (all or nothing) and burst calls of 1..2 objects, capacity
 * CAP in SZ slots, positions starting at 254 and wrapping mod 256 (ring.c:
 * mod 2^32).
 *
 * Checked in every reachable state: each object is dequeued once, each
 * producer's order holds for each consumer, a successful reservation saw at
 * most CAP entries, ring.md's invariant holds, and no state leaves a thread
 * waiting for a tail that nobody will advance (invalid end states). The wait
 * in update_tail is a blocking guard here, so a lost tail update shows as a
 * deadlock. The model catches seeded bugs: a burst that moves its tail by
 * the requested n instead of the reserved m, or a consumer that does not
 * wait for earlier reservers.
 *
 * Manual, not in a suite (135 M states: 12 minutes on a loaded 2-core
 * machine, 7 GB; the SCHED_FIFO case ring_wait_yields is the scheduler half):
 *   spin -a ring.pml && gcc -O2 -DSAFETY -DCOLLAPSE -DMEMLIM=8192 -o pan pan.c &&
 *   ./pan -m1000000
 * expects "errors: 0" (Debian package spin).
 */
#define CAP 2
#define SZ 4
#define K 2
#define TOTAL (2*K)
#define W(x) ((x) & 255)

byte prod_head, prod_tail, cons_head, cons_tail;
byte slots[SZ];
byte consumed;
bit seen[TOTAL];

proctype producer(byte p)
{
	byte seq = 0, n, m, oh, ot, ent, i;
	bool fixed;
	do
	:: seq == K -> break
	:: else ->
		if :: n = 1 :: (K - seq >= 2) -> n = 2 fi;
		if :: fixed = true :: fixed = false fi;
		oh = prod_head;
retry:		ot = cons_tail;
		ent = W(CAP + ot - oh);
		m = n;
		if :: m > ent -> if :: fixed -> m = 0 :: else -> m = ent fi :: else fi;
		if
		:: m == 0 -> skip /* full: the caller retries */
		:: else ->
			atomic { if :: prod_head == oh -> assert(ent <= CAP); prod_head = W(oh + m)
				    :: else -> oh = prod_head; goto retry fi }
			i = 0;
			do :: i < m -> slots[W(oh + i) % SZ] = p * K + seq + i; i++ :: else -> break od;
			(prod_tail == oh); /* update_tail: wait for the earlier reservers */
			prod_tail = W(oh + m);
			seq = seq + m
		fi
	od
}

proctype consumer()
{
	byte n, m, oh, ot, ent, i, v;
	byte last[2];
	bool fixed;
	last[0] = 255; last[1] = 255;
	do
	:: consumed == TOTAL -> break
	:: else ->
		if :: n = 1 :: n = 2 fi;
		if :: fixed = true :: fixed = false fi;
		oh = cons_head;
retry:		ot = prod_tail;
		ent = W(ot - oh);
		m = n;
		if :: m > ent -> if :: fixed -> m = 0 :: else -> m = ent fi :: else fi;
		if
		:: m == 0 -> skip
		:: else ->
			atomic { if :: cons_head == oh -> assert(ent <= CAP); cons_head = W(oh + m)
				    :: else -> oh = cons_head; goto retry fi }
			i = 0;
			do
			:: i < m ->
				v = slots[W(oh + i) % SZ];
				assert(v < TOTAL);
				assert(!seen[v]); seen[v] = 1;
				/* each producer's order, as this consumer sees it */
				assert(last[v / K] == 255 || v % K > last[v / K]);
				last[v / K] = v % K;
				i++
			:: else -> break
			od;
			(cons_tail == oh);
			cons_tail = W(oh + m);
			consumed = consumed + m
		fi
	od
}

/* the ring invariant of ring.md, at every state */
active proctype invariant()
{
	/* blocks while the invariant holds, so it never masks a deadlock */
end:	!(W(cons_head - cons_tail) <= W(prod_tail - cons_tail) &&
	  W(prod_tail - cons_tail) <= W(prod_head - cons_tail) &&
	  W(prod_head - cons_tail) <= CAP) -> assert(false)
}

init
{
	atomic {
		/* start just below the wrap, so positions wrap during the run */
		prod_head = 254; prod_tail = 254; cons_head = 254; cons_tail = 254;
		run producer(0); run producer(1); run consumer(); run consumer()
	}
}
