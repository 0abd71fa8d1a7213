# ipc-labs: build, self-check and documents.
#
#   make            build bin/ipclab, the grading library, every lab's tests,
#                   the pristine skeletons and the reference solutions
#   make check      the whole self-check (ends with "N passed, N failed")
#   make vm-check   make check in a Debian 12 VM booted under qemu (as root; slow)
#   make vm-smoke   the same VM, shorter: provision, every reference graded and
#                   the scenarios there (a step of .ci/run)
#   make container-check   the Dockerfile built and run with podman, on the
#                   VM's Debian 12 image (after make vm-smoke; a step of .ci/run)
#   make grade      grade every reference solution and print the scoreboard
#   make skeletons  regenerate labs/NN-*/ sources from solutions/ (unifdef)
#   make docs       Doxygen HTML of the student headers, zero warnings
#   make slides     render the decks to build/slides/ with Marp (slides/README.md)
#   make student-edition   the kit without solutions, for students:
#                   build/student-edition/ipc-labs/ and ipc-labs.tar.gz
#   make gradescope LAB=NN  a Gradescope autograder for lab NN:
#                   build/gradescope/NN-topic.zip

CC      ?= cc
CFLAGS  ?= -std=gnu11 -g -O1 -Wall -Wextra -Werror
B       := build

# Every lab is a folder labs/NN-topic/ holding its manifest, lab.mk (whose
# header says the keys); ipclab and the self-check read the same files.
# $(call manifest,LAB,KEY) is the value of KEY in LAB's manifest.
LABS     := $(patsubst labs/%/lab.mk,%,$(wildcard labs/[0-9][0-9]-*/lab.mk))
manifest  = $(shell sed -n 's/ *\#.*//; s/^$(2) *:= *//p' labs/$(1)/lab.mk)
$(foreach l,$(LABS),$(eval sources_$(l) := $(call manifest,$(l),sources)))
$(foreach l,$(LABS),$(eval headers_$(l) := $(call manifest,$(l),headers)))

# Where each lab's files come from. Here: its master under solutions/, from
# which unifdef makes the pristine skeleton and the reference (rules below).
# The student edition (make student-edition) has no solutions/: there the
# pristine skeleton and headers come ready made from autograder/pristine/, no
# reference is built, make check runs the checks a copy without solutions can
# make, and the targets that need solutions/ say so.
ifeq ($(wildcard solutions),)
MASTERS   := autograder/pristine
SELFCHECK := autograder/selfcheck/edition-check.sh
needs_solutions = @echo "make $@: needs solutions/, which the student edition leaves out" >&2; exit 2
$(B)/pristine/%: autograder/pristine/%
	@mkdir -p $(@D)
	cp $< $@
else
MASTERS   := solutions
SELFCHECK := autograder/selfcheck/check.sh
endif
GRADER_SRC := $(addprefix autograder/lib/,sandbox.c subject.c diagnose.c leaks.c faults.c \
		records.c)
IPCLAB_SRC := $(wildcard autograder/ipclab/*.c) autograder/lib/records.c autograder/lib/report.c

# The instructor's hidden tests (README.md, "Hidden tests"): when the directory is
# there, autograder/hidden/NN-topic/X.c becomes build/tests/NN-topic/hidden-X.o and
# counts as one of the lab's tests. The student edition leaves the directory out.
HIDDEN     := autograder/hidden

lab_files  = $(notdir $(wildcard $(MASTERS)/$(1)/*.c $(MASTERS)/$(1)/*.h))
lab_hidden = $(patsubst $(HIDDEN)/$(1)/%.c,$(B)/tests/$(1)/hidden-%.o,$(wildcard $(HIDDEN)/$(1)/*.c))
lab_tests  = $(patsubst autograder/tests/$(1)/%.c,$(B)/tests/$(1)/%.o,$(wildcard autograder/tests/$(1)/*.c)) \
	     $(call lab_hidden,$(1))
# Programs a lab's tests run under ThreadSanitizer: autograder/tests/NN-topic/tsan/X.c
# becomes build/tests/NN-topic/tsan/X.o, built with -fsanitize=thread; ipclab links
# it with the submission's sources, built the same way, into X beside the runner.
lab_tsan   = $(patsubst autograder/tests/$(1)/tsan/%.c,$(B)/tests/$(1)/tsan/%.o,\
		$(wildcard autograder/tests/$(1)/tsan/*.c))

PRISTINE := $(foreach l,$(LABS),$(addprefix $(B)/pristine/$(l)/,$(call lab_files,$(l))))
REF      := $(if $(filter solutions,$(MASTERS)),$(foreach l,$(LABS),$(addprefix $(B)/ref/$(l)/,$(call lab_files,$(l)))))
TESTOBJ  := $(foreach l,$(LABS),$(call lab_tests,$(l)) $(call lab_tsan,$(l)))
PLANS    := $(foreach l,$(LABS),$(B)/tests/$(l)/plan.records)
# The demonstrations (ipclab scenario NAME): scenarios/NN-topic/NAME.c, one
# program each, becomes build/scenarios/NAME; a lab adds its folder only.
SCENARIO_SRC := $(wildcard scenarios/[0-9][0-9]-*/*.c)
SCENARIOS    := $(patsubst %.c,$(B)/scenarios/%,$(notdir $(SCENARIO_SRC)))

.PHONY: all check vm-check vm-smoke container-check grade skeletons docs slides student-edition gradescope clean
all: bin/ipclab $(B)/lib/libgrader.a $(B)/lib/runner.o $(PRISTINE) $(REF) $(TESTOBJ) $(PLANS) \
	$(B)/selftest/test_report $(B)/selftest/test_sandbox $(B)/selftest/class_report_demo \
	$(SCENARIOS)

bin/ipclab: $(IPCLAB_SRC) $(wildcard autograder/ipclab/*.h autograder/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iautograder/lib -o $@ $(IPCLAB_SRC) -larchive

$(B)/lib/%.o: autograder/lib/%.c $(wildcard autograder/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# runner.o (main) is linked as an object, never taken from the archive.
$(B)/lib/libgrader.a: $(patsubst autograder/lib/%.c,$(B)/lib/%.o,$(GRADER_SRC))
	rm -f $@ && ar rcs $@ $^

# The grader's own unit tests (records and reporters).
$(B)/selftest/test_report: autograder/selftest/test_report.c autograder/lib/records.c \
		autograder/lib/report.c $(wildcard autograder/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iautograder/lib -o $@ $(filter %.c,$^) -lcriterion

# A made-up class's HTML report, for make check's class_report_renders.
$(B)/selftest/class_report_demo: autograder/selftest/class_report_demo.c \
		autograder/ipclab/classreport.c autograder/ipclab/util.c autograder/lib/records.c \
		autograder/lib/report.c $(wildcard autograder/ipclab/*.h autograder/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iautograder/lib -Iautograder/ipclab -o $@ $(filter %.c,$^)

$(B)/selftest/test_sandbox: autograder/selftest/test_sandbox.c $(B)/lib/runner.o \
		$(B)/lib/libgrader.a $(wildcard autograder/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iautograder/lib -o $@ $< $(B)/lib/runner.o $(B)/lib/libgrader.a -lcriterion

define scenario_rule
$(B)/scenarios/$(basename $(notdir $(1))): $(1)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -o $$@ $$<
endef
$(foreach s,$(SCENARIO_SRC),$(eval $(call scenario_rule,$(s))))

# Student edition (solution blocks removed) and reference edition of each lab.
# unifdef exits 1 when it changed something, which is not an error here.
$(B)/pristine/%: solutions/%
	@mkdir -p $(@D)
	unifdef -USOLUTION -o $@ $< || [ $$? -eq 1 ]

$(B)/ref/%: solutions/%
	@mkdir -p $(@D)
	unifdef -DSOLUTION -o $@ $< || [ $$? -eq 1 ]

# Each lab's tests, hidden tests (every GRADED_TEST in them is hidden unless it
# says .hidden = false) and plan: the list of its tests, for reports written
# when a submission does not compile. The tests build against the lab's
# pristine headers (from the manifest).
define lab_rules
$(1)_headers := $(addprefix $(B)/pristine/$(1)/,$(headers_$(1))) autograder/lib/grader.h \
		 $(wildcard autograder/tests/$(1)/*.h)

$(B)/tests/$(1)/%.o: autograder/tests/$(1)/%.c $$($(1)_headers)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -Iautograder/lib -I$(B)/pristine/$(1) -c -o $$@ $$<

$(B)/tests/$(1)/tsan/%.o: autograder/tests/$(1)/tsan/%.c $$($(1)_headers)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -fsanitize=thread -I$(B)/pristine/$(1) -c -o $$@ $$<

$(B)/tests/$(1)/hidden-%.o: $(HIDDEN)/$(1)/%.c $$($(1)_headers)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -DAG_HIDDEN_DEFAULT=1 -Iautograder/lib -I$(B)/pristine/$(1) -c -o $$@ $$<

$(B)/tests/$(1)/plan.records: $(call lab_tests,$(1)) $(B)/lib/runner.o $(B)/lib/libgrader.a \
		$(addprefix $(B)/pristine/$(1)/,$(call lab_files,$(1)))
	$$(CC) $$(CFLAGS) -Wno-unused-parameter -I$(B)/pristine/$(1) -o $(B)/tests/$(1)/skeleton-runner \
		$(addprefix $(B)/pristine/$(1)/,$(sources_$(1))) \
		$(call lab_tests,$(1)) $(B)/lib/runner.o $(B)/lib/libgrader.a -lcriterion
	rm -f $$@ && IPCLAB_PLAN_ONLY=1 IPCLAB_RECORDS=$(CURDIR)/$$@ $(B)/tests/$(1)/skeleton-runner
endef
$(foreach l,$(LABS),$(eval $(call lab_rules,$(l))))

skeletons: $(PRISTINE)
	$(needs_solutions)
	@for lab in $(LABS); do \
		for f in $$(cd solutions/$$lab && ls *.c *.h); do \
			cp $(B)/pristine/$$lab/$$f labs/$$lab/$$f; \
		done; \
	done

check: all
	$(SELFCHECK)

vm-check:
	vm/vm-check.sh

vm-smoke:
	VM_CHECK_MODE=smoke vm/vm-check.sh

container-check:
	vm/container-check.sh

grade: all
	$(needs_solutions)
	autograder/selfcheck/scoreboard.sh

student-edition: all
	$(needs_solutions)
	autograder/editions/student-edition.sh

gradescope: all
	$(needs_solutions)
	autograder/editions/gradescope.sh "$(LAB)"

# The inputs are every lab's headers and a main page listing them, both from
# the manifests.
docs:
	@mkdir -p $(B)/docs
	{ cat docs/mainpage.md; $(foreach l,$(LABS),echo "- $(call manifest,$(l),title)\
		($(headers_$(l)))";) } >$(B)/docs/mainpage.md
	{ cat docs/Doxyfile; echo "INPUT = $(B)/docs/mainpage.md \
		$(foreach l,$(LABS),$(addprefix labs/$(l)/,$(headers_$(l))))"; \
	  echo "USE_MDFILE_AS_MAINPAGE = $(B)/docs/mainpage.md"; } | doxygen -

# The decks, as presented: $(B)/slides/NN-topic.html beside the images they
# show. Marp comes from slides/node_modules, which provision.sh installs from
# slides/package-lock.json; nothing is fetched here.
MARP := slides/node_modules/.bin/marp
slides:
	@[ -x $(MARP) ] || { echo "make slides: the Marp packages are not installed:" \
		"run sudo ./vm/provision.sh" >&2; exit 2; }
	@mkdir -p $(B)/slides && rm -rf $(B)/slides/img && cp -R slides/img $(B)/slides/
	@for deck in slides/[0-9][0-9]-*.md; do \
		html=$(B)/slides/$$(basename "$$deck" .md).html; \
		$(MARP) --html "$$deck" -o "$$html" 2>$(B)/marp.log || \
			{ cat $(B)/marp.log >&2; exit 1; }; \
		echo "make slides: $$html"; \
	done

clean:
	rm -rf $(B) bin
