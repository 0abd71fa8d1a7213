/*
 * stage.c - takes a lab's source files out of a submission (see stage.h).
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "build.h"
#include "stage.h"
#include "util.h"

static const char *const archive_suffixes[] = {".tar.gz", ".tgz", ".zip", ".tar", NULL};

static const char *archive_suffix(const char *path)
{
	size_t len = strlen(path);

	for (int i = 0; archive_suffixes[i]; i++) {
		size_t n = strlen(archive_suffixes[i]);

		if (len > n && strcasecmp(path + len - n, archive_suffixes[i]) == 0)
			return path + len - n;
	}
	return NULL;
}

bool stage_is_archive(const char *path)
{
	return archive_suffix(path) != NULL;
}

char *stage_name(const char *path)
{
	char *copy = xstrdup(path);
	size_t len = strlen(copy);

	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	char *base = strrchr(copy, '/') ? strrchr(copy, '/') + 1 : copy;
	const char *suffix = archive_suffix(base);
	char *name = xstrfmt("%.*s", suffix ? (int)(suffix - base) : (int)strlen(base), base);

	free(copy);
	return name;
}

/* What was found of each of the lab's files, and the first problem. */
struct finds {
	const struct lab *lab;
	char *where[LAB_MAX_FILES];	/* path of each source inside the submission */
	int entries;			/* files and directories seen */
	char *problem;
};

static int source_index(const struct lab *lab, const char *base)
{
	for (int i = 0; lab->sources[i]; i++)
		if (strcmp(lab->sources[i], base) == 0)
			return i;
	return -1;
}

/*
 * Folders that archivers and editors add (the name is len bytes): never where
 * a student's files are. "." is the archive's own top, not one of them.
 */
static bool ignored(const char *name, size_t len)
{
	return (name[0] == '.' && len > 1) || (len == 8 && strncmp(name, "__MACOSX", 8) == 0);
}

/* Records that the source i is at path; false (with the problem) when it was seen before. */
static bool found_at(struct finds *f, int i, const char *path)
{
	if (f->where[i]) {
		f->problem = xstrfmt("%s is there twice (%s and %s): keep the one to "
				     "grade", f->lab->sources[i], f->where[i], path);
		return false;
	}
	f->where[i] = xstrdup(path);
	return true;
}

static char *too_large(const char *path, long long size)
{
	return xstrfmt("%s is %lld KiB: larger than %d MiB, is it really a C source file?",
		       path, size >> 10, SOURCE_MAX >> 20);
}

/* ---- a directory ---- */

/* Looks for the sources in dir (at rel inside the submission), depth levels down at most. */
static void search_dir(struct finds *f, int dirfd, const char *rel, int depth)
{
	DIR *dir = fdopendir(dirfd);
	struct dirent *d;

	if (dir == NULL) {
		close(dirfd);
		return;
	}
	while (!f->problem && (d = readdir(dir))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		f->entries++;
		char *path = *rel ? xstrfmt("%s/%s", rel, d->d_name) : xstrdup(d->d_name);
		struct stat st;
		int i = source_index(f->lab, d->d_name);

		if (fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (i >= 0)
				found_at(f, i, path);
			else if (S_ISDIR(st.st_mode) && depth > 0 &&
				 !ignored(d->d_name, strlen(d->d_name)))
				search_dir(f, openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY |
						     O_NOFOLLOW | O_CLOEXEC), path, depth - 1);
		}
		free(path);
	}
	closedir(dir);
}

/* Copies the source found at rel in the directory top to dest. */
static char *copy_found(const char *top, const char *rel, const char *to)
{
	char *from = xstrfmt("%s/%s", top, rel), *problem = NULL, target[256];
	struct stat st;
	ssize_t len;

	if (lstat(from, &st) == -1)
		problem = xstrfmt("%s: %s", rel, strerror(errno));
	else if (S_ISLNK(st.st_mode)) {
		len = readlink(from, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = '\0';
		problem = xstrfmt("%s is a symbolic link (to %s): submit the file itself",
				  rel, target);
	} else if (!S_ISREG(st.st_mode))
		problem = xstrfmt("%s is not a regular file", rel);
	else if (st.st_size > SOURCE_MAX)
		problem = too_large(rel, (long long)st.st_size);
	else if (copy_file(from, to, SOURCE_MAX, true) == -1)
		problem = xstrfmt("%s cannot be copied: %s", rel, strerror(errno));
	free(from);
	return problem;
}

static void stage_dir(struct finds *f, const char *path, const char *dest)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1) {
		f->problem = xstrfmt("cannot open the directory: %s", strerror(errno));
		return;
	}
	search_dir(f, fd, "", STAGE_DEPTH);
	for (int i = 0; f->lab->sources[i] && !f->problem; i++) {
		if (f->where[i] == NULL)
			continue;
		char *to = xstrfmt("%s/%s", dest, f->lab->sources[i]);
		f->problem = copy_found(path, f->where[i], to);
		free(to);
	}
}

/* ---- an archive ---- */

/* An entry that would land outside the directory it is unpacked in. */
static bool escapes(const char *path)
{
	if (path[0] == '/' || path[0] == '\\')
		return true;
	for (const char *p = path; *p; p += strcspn(p, "/\\"), p += *p != '\0')
		if (p[0] == '.' && p[1] == '.' && (p[2] == '\0' || p[2] == '/' || p[2] == '\\'))
			return true;
	return false;
}

/* The entry's last path component, "" for a directory entry. */
static const char *entry_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Whether a folder on the entry's path (its last component aside) is ignored. */
static bool in_ignored_dir(const char *path)
{
	for (size_t len = strcspn(path, "/"); path[len] == '/'; len = strcspn(path, "/")) {
		if (ignored(path, len))
			return true;
		path += len + 1;
	}
	return false;
}

/* Reads the current entry (at most SOURCE_MAX bytes) into the file to. */
static char *extract_entry(struct archive *a, const char *path, const char *to)
{
	char *data = xmalloc(SOURCE_MAX + 1), *problem = NULL;
	size_t len = 0;
	la_ssize_t n;

	while ((n = archive_read_data(a, data + len, SOURCE_MAX + 1 - len)) > 0 &&
	       len + (size_t)n <= SOURCE_MAX)
		len += (size_t)n;
	if (n < 0)
		problem = xstrfmt("%s cannot be read from the archive (%s)", path,
				  archive_error_string(a));
	else if (n > 0)
		problem = too_large(path, (long long)(len + (size_t)n));
	else if (write_whole_file(to, data, len) == -1)
		problem = xstrfmt("cannot write %s: %s", to, strerror(errno));
	free(data);
	return problem;
}

/* Looks at one entry: a problem, a source to extract, or something to skip. */
static void stage_entry(struct finds *f, struct archive *a, struct archive_entry *e,
			const char *dest)
{
	const char *path = archive_entry_pathname(e);
	long long size = archive_entry_size(e);

	f->entries++;
	if (path == NULL)
		path = "(unnamed entry)";
	if (escapes(path)) {
		f->problem = xstrfmt("the archive holds an entry '%s' that points outside "
				     "the submission (path traversal): nothing was "
				     "unpacked; resubmit a plain archive", path);
		return;
	}
	if (size > STAGE_ENTRY_MAX) {
		f->problem = xstrfmt("the archive holds %s of %lld MiB: larger than a "
				     "submission may hold (%d MiB); resubmit without it",
				     path, size >> 20, STAGE_ENTRY_MAX >> 20);
		return;
	}
	int i = source_index(f->lab, entry_base(path));
	if (i < 0 || in_ignored_dir(path) || !found_at(f, i, path))
		return;
	if (archive_entry_filetype(e) == AE_IFLNK) {
		f->problem = xstrfmt("%s is a symbolic link (to %s): submit the file "
				     "itself", path, archive_entry_symlink(e));
	} else if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e)) {
		f->problem = xstrfmt("%s is not a regular file in the archive", path);
	} else if (size > SOURCE_MAX) {
		f->problem = too_large(path, size);
	} else {
		char *to = xstrfmt("%s/%s", dest, f->lab->sources[i]);
		f->problem = extract_entry(a, path, to);
		free(to);
	}
}

static void stage_archive(struct finds *f, const char *path, const char *dest)
{
	struct archive *a = archive_read_new();
	struct archive_entry *entry;
	int r = ARCHIVE_FATAL;

	if (a == NULL)
		die("archive_read_new: out of memory");
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	if (archive_read_open_filename(a, path, 1 << 16) == ARCHIVE_OK) {
		while (!f->problem && ((r = archive_read_next_header(a, &entry)) == ARCHIVE_OK ||
				       r == ARCHIVE_WARN))
			stage_entry(f, a, entry, dest);
	}
	if (!f->problem && r != ARCHIVE_EOF)
		f->problem = xstrfmt("not a readable .zip or .tar.gz archive (%s): "
				     "resubmit it", archive_error_string(a) ?
				     archive_error_string(a) : "unknown format");
	archive_read_free(a);
}

int stage_submission(const struct lab *lab, const char *path, const char *dest,
		     char **problem)
{
	struct finds f = {.lab = lab};

	if (stage_is_archive(path) && !is_dir(path))
		stage_archive(&f, path, dest);
	else if (is_dir(path))
		stage_dir(&f, path, dest);
	else
		f.problem = xstrdup("neither a directory nor a .zip, .tar.gz or .tar archive");
	if (!f.problem && f.entries == 0)
		f.problem = xstrdup("empty submission: it holds no files at all");
	for (int i = 0; lab->sources[i] && !f.problem; i++)
		if (f.where[i] == NULL)
			f.problem = xstrfmt("%s is missing (looked at the top and in "
					    "subdirectories)", lab->sources[i]);
	for (int i = 0; i < LAB_MAX_FILES; i++)
		free(f.where[i]);
	*problem = f.problem;
	return f.problem ? -1 : 0;
}
