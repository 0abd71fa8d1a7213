# labs/rules.mk - what `make` does in a lab's folder, for every lab: builds
# the lab's demos (each NAME of the manifest's "demos" from NAME.c and your
# sources), `make test` grades your sources, `make clean` removes what make
# built. A lab's Makefile is its manifest (lab.mk) and this file.
CFLAGS = -std=gnu11 -Wall -Wextra -g
objects := $(sources:.c=.o)

all: $(demos)

$(demos): %: %.o $(objects)
	$(CC) $(LDFLAGS) -o $@ $^

$(demos:=.o) $(objects): $(headers)

test:
	../../bin/ipclab test $(number)

clean:
	rm -f $(demos) $(demos:=.o) $(objects)

.PHONY: all test clean
