/*
 * build.c - compiles a submission into a lab's test runner (see build.h).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "build.h"
#include "report.h"
#include "util.h"

#define MAIN_PROBLEM "defines main"

static char *source_problem(const char *shown, int errnum)
{
	switch (errnum) {
	case ENOENT:
		return xstrfmt("%s is missing", shown);
	case ELOOP:
		return xstrfmt("%s is a symbolic link: submit the file itself", shown);
	case EFBIG:
		return xstrfmt("%s is larger than %d MiB: is it really a C source file?",
			       shown, SOURCE_MAX >> 20);
	case EINVAL:
		return xstrfmt("%s is not a regular file", shown);
	default:
		return xstrfmt("%s: %s", shown, strerror(errnum));
	}
}

int build_copy_sources(const struct lab *lab, const char *dir, const char *shown_dir,
		       const char *workdir, bool submission, char **problem)
{
	*problem = NULL;
	for (int i = 0; lab->sources[i] && !*problem; i++) {
		char *from = xstrfmt("%s/%s", dir, lab->sources[i]);
		char *to = xstrfmt("%s/%s", workdir, lab->sources[i]);

		if (submission || !same_content(from, to)) {
			if (copy_file(from, to, SOURCE_MAX, submission) == -1) {
				char *shown = xstrfmt("%s/%s", shown_dir,
						      lab->sources[i]);

				*problem = source_problem(shown, errno);
				free(shown);
			}
		}
		free(from);
		free(to);
	}
	return *problem ? -1 : 0;
}

/* "pipes.c" -> "pipes" + suffix */
static char *stem_with(const char *source, const char *suffix)
{
	const char *dot = strrchr(source, '.');
	int len = dot ? (int)(dot - source) : (int)strlen(source);

	return xstrfmt("%.*s%s", len, source, suffix);
}

static long long newest(long long a, long long b)
{
	return a > b ? a : b;
}

static bool succeeded(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Runs the compiler in workdir; its messages go to messages. -1 when it cannot run. */
static int run_cc(char *const argv[], const char *workdir, FILE *messages, char **text,
		  bool *ok)
{
	int status = spawn_capture(argv, workdir, text);

	if (status == -1) {
		if (errno == ENOENT)
			return error_msg("cannot run cc: no C compiler is installed "
					 "(sudo apt-get install build-essential; "
					 "see `ipclab doctor`)");
		return error_errno("cannot run cc");
	}
	fputs(*text, messages);
	*ok = succeeded(status);
	return 0;
}

/* A relocatable object's section headers and the contents of one section. */
struct object {
	int fd;
	Elf64_Ehdr eh;
	Elf64_Shdr *sh;
};

static char *section_data(const struct object *o, int index)
{
	const Elf64_Shdr *sh = &o->sh[index];
	char *data = xmalloc(sh->sh_size + 1);

	if (pread(o->fd, data, sh->sh_size, (off_t)sh->sh_offset) != (ssize_t)sh->sh_size)
		sh = NULL;
	data[sh ? sh->sh_size : 0] = '\0';
	return data;
}

/* Constructors run in the grader before main, destructors after it. */
static char *banned_section(const struct object *o)
{
	static const char *const banned[] = {".init_array", ".preinit_array", ".ctors",
					     ".fini_array", ".dtors"};
	char *names = section_data(o, o->eh.e_shstrndx);
	size_t size = o->sh[o->eh.e_shstrndx].sh_size;
	char *problem = NULL;

	for (int i = 0; i < o->eh.e_shnum && !problem; i++) {
		const char *name = o->sh[i].sh_name < size ? names + o->sh[i].sh_name : "";

		for (size_t j = 0; j < sizeof(banned) / sizeof(banned[0]) && !problem; j++)
			if (strstr(name, banned[j]))
				problem = xstrfmt("defines a constructor or destructor (section %s): "
						  "code that runs before or after main",
						  banned[j]);
		if (!problem && (strcmp(name, ".init") == 0 || strcmp(name, ".fini") == 0))
			problem = xstrfmt("puts code in section %s, which runs before or after "
					  "main", name);
	}
	free(names);
	return problem;
}

static bool grader_name(const char *name)
{
	return strncmp(name, "ag_", 3) == 0 || strncmp(name, "cr_", 3) == 0 ||
	       strncmp(name, "criterion", 9) == 0;
}

/*
 * The grader's and Criterion's own functions and data are not the
 * submission's to use, nor to replace: a global function named like one of
 * theirs, or like a C library function, would run in the grader's place
 * wherever the grader calls that name. And an IFUNC resolver runs while
 * the program loads, before any test.
 */
static char *symbol_problem(const Elf64_Sym *symbol, const char *name)
{
	static void *libc;
	int bind = ELF64_ST_BIND(symbol->st_info);
	bool global = bind == STB_GLOBAL || bind == STB_WEAK;

	if (ELF64_ST_TYPE(symbol->st_info) == STT_GNU_IFUNC)
		return xstrfmt("defines %s as an IFUNC, whose resolver runs while the program "
			       "loads", name);
	if (symbol->st_shndx == SHN_UNDEF)
		return grader_name(name) ? xstrfmt("uses %s, which belongs to the grader", name)
					 : NULL;
	if (!global || *name == '\0')
		return NULL;
	if (strcmp(name, "main") == 0)
		return xstrdup(MAIN_PROBLEM);
	if (grader_name(name))
		return xstrfmt("defines %s, a name of the grader's", name);
	if (libc == NULL)
		libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	if (libc && dlsym(libc, name))
		return xstrfmt("defines %s, a C library name that the grader uses too: make "
			       "your %s static, or give it another name", name, name);
	return NULL;
}

/* What the submission's symbols use and define (symbol_problem). */
static char *grader_symbol_used(const struct object *o)
{
	char *problem = NULL;

	for (int i = 0; i < o->eh.e_shnum && !problem; i++) {
		Elf64_Sym *symbols;
		char *names;
		size_t count;

		if (o->sh[i].sh_type != SHT_SYMTAB || o->sh[i].sh_link >= o->eh.e_shnum)
			continue;
		symbols = (Elf64_Sym *)section_data(o, i);
		names = section_data(o, (int)o->sh[i].sh_link);
		count = o->sh[i].sh_size / sizeof(Elf64_Sym);
		for (size_t k = 0; k < count && !problem; k++) {
			const char *name = symbols[k].st_name < o->sh[o->sh[i].sh_link].sh_size ?
					   names + symbols[k].st_name : "";

			problem = symbol_problem(&symbols[k], name);
		}
		free(symbols);
		free(names);
	}
	return problem;
}

/*
 * What in a compiled submission would act outside the tests' sandbox, or on
 * the grader itself: a malloc'd sentence, or NULL when there is nothing.
 */
static char *object_problem(const char *obj_path)
{
	struct object o = {.fd = open(obj_path, O_RDONLY | O_CLOEXEC)};
	char *problem = NULL;
	size_t table;

	if (o.fd == -1 || pread(o.fd, &o.eh, sizeof(o.eh), 0) != sizeof(o.eh) ||
	    o.eh.e_shentsize != sizeof(Elf64_Shdr) || o.eh.e_shstrndx >= o.eh.e_shnum) {
		if (o.fd != -1)
			close(o.fd);
		return NULL;
	}
	table = o.eh.e_shnum * sizeof(*o.sh);
	o.sh = xmalloc(table);
	if (pread(o.fd, o.sh, table, (off_t)o.eh.e_shoff) == (ssize_t)table) {
		problem = banned_section(&o);
		if (!problem)
			problem = grader_symbol_used(&o);
	}
	free(o.sh);
	close(o.fd);
	return problem;
}

/*
 * Why the file at path is no C source a compiler should be shown (a binary,
 * or text in another encoding than UTF-8), or NULL.
 */
static char *not_text(const char *path)
{
	char *text, *valid;
	ssize_t len = read_text(path, &text, SOURCE_MAX);
	char *why = NULL;

	if (len < 0)
		return NULL;	/* the compiler says what is wrong */
	if (memchr(text, '\0', (size_t)len)) {
		why = xstrdup("it holds NUL bytes, as a binary or an object file does");
	} else if ((valid = text_sanitise(text, SIZE_MAX)) && strcmp(valid, text) != 0) {
		size_t at = 0;
		int line = 1;

		while (text[at] == valid[at])
			line += text[at++] == '\n';
		why = xstrfmt("line %d holds bytes that are not UTF-8 (a file saved in another "
			      "encoding?)", line);
		free(valid);
	} else {
		free(valid);
	}
	free(text);
	return why;
}

/* The first plain sentence of the build: only the first problem counts. */
static void set_problem(struct build *b, char *sentence)
{
	if (b->problem == NULL)
		b->problem = sentence;
	else
		free(sentence);
	b->failed = true;
}

/* Compiles one source unless its object is newer than it and the lab's headers. */
static int compile(const struct lab *lab, const char *workdir, const char *source,
		   FILE *messages, struct build *b)
{
	char *include = kit_path("build/pristine/%s", lab->dir);
	char *object = stem_with(source, ".o");
	char *src_path = xstrfmt("%s/%s", workdir, source);
	char *obj_path = xstrfmt("%s/%s", workdir, object);
	char *msg_path = xstrfmt("%s.messages", obj_path);
	long long inputs = mtime_ns(src_path);
	char *text = NULL, *why = not_text(src_path);
	bool ok = true;
	int rc = 0;

	if (why) {
		set_problem(b, xstrfmt("%s is not a text file: %s. Submit the C source itself, "
				       "as plain text.", source, why));
		free(why);
		unlink(obj_path);
		goto out;
	}

	for (int i = 0; lab->headers[i]; i++) {
		char *header = xstrfmt("%s/%s", include, lab->headers[i]);
		long long t = mtime_ns(header);

		if (t == -1)
			rc = error_msg("the lab's header build/pristine/%s/%s is "
				       "missing: run `make` in %s", lab->dir,
				       lab->headers[i], kit_root());
		inputs = newest(inputs, t);
		free(header);
	}
	if (rc == 0 && mtime_ns(obj_path) >= inputs && mtime_ns(msg_path) >= inputs &&
	    read_text(msg_path, &text, 1 << 20) >= 0) {
		fputs(text, messages);	/* up to date: show its warnings again */
	} else if (rc == 0) {
		char *argv[] = {"cc", "-std=gnu11", "-g", "-O1", "-Wall", "-Wextra",
				"-I", include, "-c", (char *)source, "-o", object, NULL};

		free(text);
		text = NULL;
		unlink(msg_path);
		char *problem;

		rc = run_cc(argv, workdir, messages, &text, &ok);
		if (rc == 0 && ok && (problem = object_problem(obj_path))) {
			if (strcmp(problem, MAIN_PROBLEM) == 0)
				set_problem(b, xstrfmt("your %s defines main; the tests provide "
						       "main: move it to a separate file.", source));
			else
				fprintf(messages, "%s: %s: not allowed in a submission, because it "
					"would act outside the tests' sandbox or on the grader\n",
					source, problem);
			free(problem);
			ok = false;
		}
		if (rc == 0 && ok)
			write_whole_file(msg_path, text, strlen(text));
		if (rc == 0 && !ok) {
			unlink(obj_path);
			b->failed = true;
		}
	}
out:
	free(text);
	free(include);
	free(object);
	free(src_path);
	free(obj_path);
	free(msg_path);
	return rc;
}

/* Links the runner unless it is newer than every object and the grading library. */
static int link_runner(const struct lab *lab, const char *workdir, FILE *messages,
		       struct build *b)
{
	char *pattern = kit_path("build/tests/%s/*.o", lab->dir);
	char *library = kit_path("build/lib/libgrader.a");
	/* Linked as an object, so a submission's own main() is a link error. */
	char *runner_main = kit_path("build/lib/runner.o");
	int nsources = 0, rc = 0;
	long long inputs = mtime_ns(library);
	glob_t tests;

	while (lab->sources[nsources])
		nsources++;
	if (glob(pattern, 0, NULL, &tests) != 0) {
		free(pattern);
		free(library);
		return error_msg("no compiled tests in build/tests/%s: run `make` in %s",
				 lab->dir, kit_root());
	}
	if (inputs == -1)
		rc = error_msg("build/lib/libgrader.a is missing: run `make` in %s",
			       kit_root());

	char **argv = xmalloc((nsources + tests.gl_pathc + 9) * sizeof(*argv));
	int argc = 0;
	argv[argc++] = "cc";
	argv[argc++] = "-o";
	argv[argc++] = "runner";
	for (int i = 0; i < nsources; i++) {
		argv[argc] = stem_with(lab->sources[i], ".o");
		char *path = xstrfmt("%s/%s", workdir, argv[argc++]);
		inputs = newest(inputs, mtime_ns(path));
		free(path);
	}
	for (size_t i = 0; i < tests.gl_pathc; i++) {
		argv[argc++] = tests.gl_pathv[i];
		inputs = newest(inputs, mtime_ns(tests.gl_pathv[i]));
	}
	argv[argc++] = runner_main;
	inputs = newest(inputs, mtime_ns(runner_main));
	argv[argc++] = library;
	argv[argc++] = "-lcriterion";
	argv[argc++] = "-lpthread";
	argv[argc] = NULL;

	if (rc == 0 && mtime_ns(b->runner) < inputs) {
		char *text = NULL;
		bool ok = true;

		unlink(b->runner);	/* never run a stale runner after a failed link */
		rc = run_cc(argv, workdir, messages, &text, &ok);
		if (rc == 0 && !ok)
			b->failed = b->link_failed = true;
		free(text);
	}
	for (int i = 0; i < nsources; i++)
		free(argv[3 + i]);
	free(argv);
	globfree(&tests);
	free(pattern);
	free(library);
	free(runner_main);
	return rc;
}

/*
 * The programs the lab's tests run under ThreadSanitizer (the Makefile
 * builds build/tests/LAB/tsan/X.o): X, in workdir beside the runner, links
 * X.o with the submission's sources compiled again with -fsanitize=thread,
 * unless it is newer than all of them. Their warnings were shown once
 * already (-w). When this build fails, the test that runs X says so.
 */
static int link_sanitized(const struct lab *lab, const char *workdir, FILE *messages)
{
	char *pattern = kit_path("build/tests/%s/tsan/*.o", lab->dir);
	char *include = kit_path("build/pristine/%s", lab->dir);
	int nsources = 0, rc = 0;
	long long inputs = -1;
	glob_t programs;
	char **objects;

	while (lab->sources[nsources])
		nsources++;
	if (glob(pattern, 0, NULL, &programs) != 0) {
		free(pattern);
		free(include);
		return 0;	/* the lab has none */
	}
	objects = xmalloc((nsources + 1) * sizeof(*objects));
	for (int i = 0; i < nsources && rc == 0; i++) {
		/* compile() remade the plain object if the source or a header changed */
		char *plain = stem_with(lab->sources[i], ".o");
		char *source = xstrfmt("%s/%s", workdir, plain);
		char *path;
		bool ok = true;

		objects[i] = stem_with(lab->sources[i], ".tsan.o");
		path = xstrfmt("%s/%s", workdir, objects[i]);
		if (mtime_ns(path) < mtime_ns(source)) {
			char *argv[] = {"cc", "-std=gnu11", "-g", "-O1", "-w", "-fsanitize=thread",
					"-I", include, "-c", (char *)lab->sources[i], "-o",
					objects[i], NULL};
			char *text = NULL;

			unlink(path);
			rc = run_cc(argv, workdir, messages, &text, &ok);
			free(text);
		}
		inputs = newest(inputs, ok ? mtime_ns(path) : -1);
		free(plain);
		free(source);
		free(path);
	}
	for (size_t p = 0; p < programs.gl_pathc && rc == 0; p++) {
		const char *object = programs.gl_pathv[p];
		char *name = stem_with(strrchr(object, '/') + 1, "");
		char *path = xstrfmt("%s/%s", workdir, name);
		char **argv = xmalloc((nsources + 7) * sizeof(*argv));
		int argc = 0;

		argv[argc++] = "cc";
		argv[argc++] = "-fsanitize=thread";
		argv[argc++] = "-o";
		argv[argc++] = name;
		for (int i = 0; i < nsources; i++)
			argv[argc++] = objects[i];
		argv[argc++] = (char *)object;
		argv[argc++] = "-lpthread";
		argv[argc] = NULL;
		if (inputs != -1 && mtime_ns(path) < newest(inputs, mtime_ns(object))) {
			char *text = NULL;
			bool ok;

			unlink(path);
			rc = run_cc(argv, workdir, messages, &text, &ok);
			free(text);
		}
		free(argv);
		free(name);
		free(path);
	}
	for (int i = 0; i < nsources; i++)
		free(objects[i]);
	free(objects);
	globfree(&programs);
	free(pattern);
	free(include);
	return rc;
}

/* The first BUILD_MESSAGE_LINES lines, and how many more there were. */
static char *first_lines(const char *text)
{
	const char *cut = text;
	int lines = 0, more = 0;

	for (const char *p = text; *p; p++) {
		if (*p != '\n')
			continue;
		if (++lines == BUILD_MESSAGE_LINES)
			cut = p + 1;
		else if (lines > BUILD_MESSAGE_LINES)
			more++;
	}
	if (lines < BUILD_MESSAGE_LINES || *cut == '\0')
		return xstrdup(text);
	if (cut[strlen(cut) - 1] != '\n')
		more++;
	return xstrfmt("%.*s[... %d more lines of compiler messages]\n",
		       (int)(cut - text), text, more);
}

int build_lab(const struct lab *lab, const char *workdir, struct build *b)
{
	char *text = NULL;
	size_t len = 0;
	FILE *messages = open_memstream(&text, &len);
	int rc = 0;

	if (messages == NULL)
		die_errno("open_memstream");
	memset(b, 0, sizeof(*b));
	b->runner = xstrfmt("%s/runner", workdir);
	for (int i = 0; lab->sources[i] && rc == 0; i++)
		rc = compile(lab, workdir, lab->sources[i], messages, b);
	if (rc == 0 && !b->failed)
		rc = link_runner(lab, workdir, messages, b);
	if (rc == 0 && !b->failed)
		rc = link_sanitized(lab, workdir, messages);
	if (fclose(messages) != 0)
		die_errno("open_memstream");
	if (len > 0)
		b->messages = first_lines(text);
	if (b->problem) {	/* first, in plain words; the compiler's own after it */
		char *both = xstrfmt("%s\n%s", b->problem, b->messages ? b->messages : "");
		free(b->messages);
		b->messages = both;
	}
	free(text);
	return rc;
}

void build_free(struct build *b)
{
	free(b->runner);
	free(b->messages);
	free(b->problem);
	memset(b, 0, sizeof(*b));
}
