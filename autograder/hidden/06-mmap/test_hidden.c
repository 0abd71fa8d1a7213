/*
 * test_hidden.c - hidden tests of Lab 06 (memory mappings), 8 points on top
 * of the 100.
 *
 * Instructor-only: autograder/hidden/ is not in the student edition, and the
 * Makefile compiles this file with -DAG_HIDDEN_DEFAULT=1, so every test here
 * is "hidden" in results.json. Written like autograder/tests/06-mmap/
 * test_files.c (graded code runs only through SUBJECT(); the test reads the
 * files itself); see grader.h. Where the visible tests read a file after the
 * call, these hold a mapping of it through the call, and copy through a
 * symbolic link.
 *
 * Handout: labs/06-mmap/README.md. Run one test: ipclab test 06 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "grader.h"
#include "mapped.h"
#include "../../tests/06-mmap/mappings.h"

/* ---- §3.2 another process's mapping of the file ---- */

GRADED_TEST(mmap, upcase_leaves_other_mappings_alone, .task = "3.2", .points = 4,
	    .desc = "while another process holds a MAP_SHARED mapping of the file, "
		    "file_upcase() changes nothing that mapping shows",
	    .hint = "Handout 3.2: a MAP_PRIVATE page that you write is copied for your process "
		    "only; other mappings of the file keep seeing the file.")
{
	static const char text[] = "shared pages, private copies";
	size_t len = sizeof(text) - 1;
	char out[64] = {0}, *theirs;
	ssize_t got;
	int fd;

	make_file_of("text", text, len, 0600);
	fd = open("text", O_RDONLY | O_CLOEXEC);
	ag_setup(fd != -1, "open");
	theirs = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	ag_setup(theirs != MAP_FAILED && close(fd) == 0, "mmap");
	got = SUBJECT(file_upcase("text", out, sizeof(out)), OUT(out));
	expect(got == (ssize_t)len && memcmp(out, "SHARED PAGES, PRIVATE COPIES", len) == 0,
	       "file_upcase(\"text\", out, 64) of \"%s\": expected %zu and the text uppercased, got "
	       "%s and \"%.*s\"", text, len, result_text(got, errno), (int)len, out);
	expect(memcmp(theirs, text, len) == 0, "after file_upcase(\"text\", ...), another process's "
	       "MAP_SHARED mapping of the file shows \"%.*s\": expected \"%s\", the file as it was",
	       (int)len, theirs, text);
	ag_setup(munmap(theirs, len) == 0, "munmap");
}

/* ---- §3.2 a path that is a symbolic link ---- */

GRADED_TEST(mmap, copy_follows_a_symbolic_link, .task = "3.2", .points = 4,
	    .desc = "file_copy() of a symbolic link to a regular file copies that file; of a "
		    "link to a directory it fails with EINVAL",
	    .hint = "Handout 3.2: a symbolic link counts as the file it points to: fstat the "
		    "descriptor open() gave you, not lstat the path.")
{
	unsigned char *data = make_random_file("target", 3000), buf[4096];
	ssize_t got;

	memset(buf, 0, sizeof(buf));
	ag_setup(symlink("target", "link") == 0 && mkdir("dir", 0700) == 0 &&
		 symlink("dir", "dirlink") == 0, "symlink");
	got = SUBJECT(file_copy("link", buf, sizeof(buf)), OUT(buf));
	expect(got == 3000 && memcmp(buf, data, 3000) == 0, "file_copy(\"link\", buf, 4096) of a "
	       "symbolic link to a 3000-byte file: expected 3000 and its bytes, got %s%s",
	       result_text(got, errno), got == 3000 ? " and other bytes" : "");
	got = SUBJECT(file_copy("dirlink", buf, sizeof(buf)));
	expect(got == -1 && errno == EINVAL, "file_copy(\"dirlink\", buf, 4096) of a symbolic link "
	       "to a directory: expected -1 with errno EINVAL, got %s", result_text(got, errno));
	free(data);
}
