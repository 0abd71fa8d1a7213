/*
 * ringrecords.h - the records Lab 06's ring tests pass (test_ring.c, and the
 * ThreadSanitizer run tsan/ring_race.c): each made from a key and its
 * sequence number, checkable without the key, and a digest of a whole run
 * that only the key's holder can predict. Static inline, like mappings.h.
 */
#ifndef RING_RECORDS_H
#define RING_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mapped.h"

/* splitmix64's step: a good 64-bit mix. */
static inline uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A checksum of len bytes, 8 at a time: cheap, so that a consumer that checks keeps up. */
static inline uint64_t sum_of(uint64_t sum, const unsigned char *p, size_t len)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t word;

		memcpy(&word, p + i, 8);
		sum = (sum ^ word) * 0x9fb21c651e98df25ULL;
		sum ^= sum >> 29;
	}
	for (; i < len; i++)
		sum = (sum ^ p[i]) * 0x100000001b3ULL;
	return sum;
}

#define SUM_START 0xcbf29ce484222325ULL
#define RECORD_MIN 12	/* the sequence number, at least 0 bytes drawn, the checksum */

/*
 * Record seq of the run whose key is key, into buf: seq (8 bytes), bytes
 * drawn from the key and seq, then a checksum of all that (4 bytes). Its
 * length, RECORD_MIN to RECORD_MAX, is drawn too. Returns the length.
 */
static inline size_t make_record(uint64_t key, uint64_t seq, unsigned char *buf)
{
	uint64_t h = mix(key ^ mix(seq));
	size_t len = RECORD_MIN + h % (RECORD_MAX - RECORD_MIN + 1);
	uint32_t sum;

	memcpy(buf, &seq, 8);
	for (size_t i = 8; i < len - 4; i += 8) {
		h = mix(h);
		memcpy(buf + i, &h, len - 4 - i < 8 ? len - 4 - i : 8);
	}
	sum = (uint32_t)sum_of(SUM_START, buf, len - 4);
	memcpy(buf + len - 4, &sum, 4);
	return len;
}

/* What is wrong with a record that should be number seq, without the key; NULL: nothing. */
static inline const char *record_fault(const unsigned char *buf, long len, uint64_t seq)
{
	uint64_t held;
	uint32_t sum;

	if (len < RECORD_MIN || len > RECORD_MAX)
		return "has a length no record of this test has";
	memcpy(&held, buf, 8);
	memcpy(&sum, buf + len - 4, 4);
	if (held > seq)
		return "is a later record: records were lost before it";
	if (held < seq)
		return "is an earlier record again: a duplicate, or a slot read before the "
		       "producer had filled it";
	if (sum != (uint32_t)sum_of(SUM_START, buf, (size_t)len - 4))
		return "is torn: its bytes are partly another record's (a slot read while the "
		       "producer was still writing it)";
	return NULL;
}

/* The digest of a whole run: every record's length and bytes, in order. */
static inline uint64_t digest_add(uint64_t digest, const unsigned char *buf, long len)
{
	return sum_of(digest ^ (uint64_t)len, buf, (size_t)len);
}

#endif
