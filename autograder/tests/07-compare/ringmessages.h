/*
 * ringmessages.h - the messages that tsan/ring_race.c passes through a
 * MECH_RING link, and their digest: the test and the program make them
 * the same way from the same key, so the test knows what a run that
 * passed every message prints.
 */
#ifndef RINGMESSAGES_H
#define RINGMESSAGES_H

#include <stddef.h>
#include <stdint.h>

#define MESSAGE_MAX 3000
#define DIGEST_START 14695981039346656037ULL

/* Message i made from key into buf (MESSAGE_MAX bytes); returns its length. */
static inline size_t make_message(uint64_t key, uint64_t i, unsigned char *buf)
{
	size_t len = 1 + (size_t)(i * 7919 % MESSAGE_MAX);
	uint64_t x = key ^ (i * 0x9e3779b97f4a7c15ULL);

	for (size_t k = 0; k < len; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[k] = (unsigned char)x;
	}
	return len;
}

/* The digest (FNV-1a) of every message so far, with len bytes of buf added. */
static inline uint64_t digest_add(uint64_t digest, const unsigned char *buf, size_t len)
{
	for (size_t k = 0; k < len; k++)
		digest = (digest ^ buf[k]) * 1099511628211ULL;
	return digest;
}

#endif
