/**
 * @file fifos.h
 * @brief Lab 02: FIFOs. The functions you implement in fifos.c.
 *
 * A server and its clients talk through named pipes in one directory:
 *
 * - `DIR/requests`, the well-known request FIFO. Every client writes its
 *   requests there; only the server reads it.
 * - `DIR/reply.PID`, one reply FIFO per client, named from the client's
 *   pid. The client creates it, reads its reply there and removes it.
 *
 * The protocol, which the tests follow when they play one side:
 *
 * 1. The client creates its reply FIFO and opens it for reading, without
 *    waiting (O_NONBLOCK), before it sends anything.
 * 2. The client writes one struct fifo_request, whole, in a single write(2)
 *    to the request FIFO. At sizeof(struct fifo_request) <= PIPE_BUF bytes
 *    the write is atomic: requests from many clients never interleave.
 * 3. The server reads the request, opens `reply.PID` for writing without
 *    waiting and writes the reply. Because of step 1, ENXIO ("no reader")
 *    there means the client has gone, never that it is late.
 * 4. The server closes the reply FIFO: the client's end of file is the end
 *    of the reply.
 *
 * Every function returns -1 and leaves errno set on failure, unless its
 * contract says otherwise; none of them prints or exits. Every descriptor a
 * function opens is closed before it returns, on every path, except the two
 * a server keeps between server_open() and server_close().
 *
 * Signals. A signal whose handler was installed without SA_RESTART makes a
 * blocked open(2) of a FIFO, read(2) or write(2) fail with EINTR; with
 * SA_RESTART (glibc's signal() sets it) the kernel restarts those three
 * itself. poll(2), select(2) and epoll_wait(2) fail with EINTR either way. No
 * function here gives up on EINTR: a call that was waiting (an open(2) for
 * the other side, a read(2) or poll(2) for data, a write(2) for room) and
 * fails with EINTR is made again, and the function goes on waiting. Each
 * contract below says where its function waits.
 *
 * The handout (README.md) explains each task; the tests (`ipclab test 02`)
 * check exactly what is written here.
 */
#ifndef FIFOS_H
#define FIFOS_H

#include <assert.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** File name of the request FIFO inside the server's directory. */
#define FIFO_REQUEST_NAME "requests"
/** A client's reply FIFO is FIFO_REPLY_PREFIX followed by its pid in decimal. */
#define FIFO_REPLY_PREFIX "reply."
/** Room for the text of a request, its terminating NUL included. */
#define FIFO_TEXT_MAX 252
/** Room for a path built from a directory and a FIFO name. */
#define FIFO_PATH_MAX 256

/** One request, as it travels through the request FIFO: always whole. */
struct fifo_request {
	int32_t client_pid;		/**< names the reply FIFO: reply.PID */
	char text[FIFO_TEXT_MAX];	/**< the command, NUL-terminated */
};

static_assert(sizeof(struct fifo_request) <= PIPE_BUF,
	      "a request must fit in one atomic write");

/** A running server: what server_open() sets up and server_close() ends. */
struct fifo_server {
	/** The read end of the request FIFO, in blocking mode. */
	int request_fd;
	/**
	 * A write end of the request FIFO that the server holds itself, so
	 * that a read never sees end of file when the last client leaves;
	 * -1 when request_fd was opened O_RDWR and is both ends at once.
	 */
	int keepalive_fd;
	/** The directory the FIFOs live in, as given to server_open(). */
	char dir[FIFO_PATH_MAX];
	/** The request FIFO's path: dir followed by "/" FIFO_REQUEST_NAME. */
	char request_path[FIFO_PATH_MAX];
};

/**
 * @brief Writes the reply to one request.
 *
 * Called by server_serve_one(), once per request, with the client's reply
 * FIFO open for writing in blocking mode. A handler that finds the client
 * gone gets EPIPE from write(2) (the server ignores SIGPIPE) and returns -1
 * with it. A handler whose write(2) fails with EINTR decides itself whether
 * to write again: server_serve_one() does not call it a second time.
 *
 * @param request  the request, its text NUL-terminated
 * @param reply_fd the write end of the client's reply FIFO; the server
 *                 closes it after the handler returns
 * @param arg      the pointer given to server_serve_one()
 * @return 0, or -1 with errno set.
 */
typedef int (*fifo_handler)(const struct fifo_request *request, int reply_fd, void *arg);

/**
 * @brief Creates a FIFO at @p path, or accepts the one already there.
 *
 * mkfifo(3) fails with EEXIST when the path exists. An existing FIFO is
 * fine, and is left exactly as it is (a process may have it open); anything
 * else at @p path (a regular file, a directory) is an error, and is left
 * untouched. Never waits.
 *
 * @param path where the FIFO goes
 * @param mode its permission bits (the umask applies, as for mkfifo)
 * @return 0 when a FIFO is at @p path on return; -1 with errno EEXIST when
 *         something that is not a FIFO is there, or another errno from
 *         mkfifo(3) or stat(2).
 */
int fifo_make(const char *path, mode_t mode);

/**
 * @brief Opens the FIFO at @p path for writing.
 *
 * With @p wait true, waits until a process opens the FIFO for reading, as
 * open(O_WRONLY) does. With @p wait false, never waits: when no process has
 * the FIFO open for reading it fails with ENXIO, as open(O_WRONLY |
 * O_NONBLOCK) does. Either way the descriptor returned is in blocking mode
 * (O_NONBLOCK is not left set), so a write to a full FIFO waits for room.
 * A signal does not end the wait for a reader: an open(2) that fails with
 * EINTR is made again.
 *
 * @param path the FIFO
 * @param wait whether to wait for a reader
 * @return the new descriptor (the caller closes it), or -1 (ENXIO: no
 *         reader and @p wait false).
 */
int fifo_open_writer(const char *path, bool wait);

/**
 * @brief Starts a server in @p dir: creates the request FIFO and opens it.
 *
 * Returns at once, without waiting for a client. The server holds the read
 * end of the request FIFO and a write end of its own (or one O_RDWR
 * descriptor), so that reading never sees end of file between clients. A
 * FIFO left at the request path by a server that crashed is reused or
 * replaced (it holds no data: a FIFO's data never touches the disk); a file
 * there that is not a FIFO is an error and is left untouched. From this call
 * on SIGPIPE is ignored in the calling process: a client that leaves early
 * must not kill the server. It stays ignored after server_close(), which
 * changes no signal disposition: a program that wants SIGPIPE's default
 * action back (before an exec(), which keeps an ignored signal ignored)
 * sets it itself.
 *
 * @param server filled in on success; give it to server_serve_one() and
 *               server_close()
 * @param dir    the directory of the request and reply FIFOs
 * @return 0, or -1 (EEXIST: a file that is not a FIFO is at the request
 *         path; ENAMETOOLONG: @p dir is too long; EMFILE: the process has
 *         no descriptor free for the server's ends). Nothing is left open or
 *         created on failure.
 */
int server_open(struct fifo_server *server, const char *dir);

/**
 * @brief Serves one request: reads it, opens the client's reply FIFO,
 *        lets @p handler write the reply, and closes the reply FIFO.
 *
 * Waits until a request arrives; a signal does not end that wait (a read(2)
 * or poll(2) that fails with EINTR is made again), so a program that must
 * stop on a signal stops in its handler (server.c does). The reply FIFO is
 * opened without waiting (the protocol's step 3), then put in blocking mode
 * for the handler, which is called once. A
 * client that has gone, before its reply FIFO was opened (ENXIO, or its
 * FIFO removed: ENOENT) or while the handler wrote (EPIPE), costs this one
 * request only: the server is not killed, does not wait for it, and goes on
 * with the next request on the next call. The reply FIFO is closed on every
 * path.
 *
 * @param server  a server started by server_open()
 * @param handler writes the reply
 * @param arg     passed to @p handler unchanged
 * @return 1 when the handler wrote the reply; 0 when the client had gone
 *         (or its request was malformed: a pid <= 0 or a text without NUL);
 *         -1 on another error (the handler's errno when it failed with
 *         another errno than EPIPE, EINTR included; EIO when the request
 *         FIFO gave end of file or a partial request).
 */
int server_serve_one(struct fifo_server *server, fifo_handler handler, void *arg);

/**
 * @brief Stops a server: closes both of its ends and removes the request
 *        FIFO.
 *
 * Once the FIFO is removed, a client can no longer find the server: its
 * fifo_open_writer() fails with ENOENT instead of waiting forever. Never
 * waits. SIGPIPE stays ignored (see server_open()).
 *
 * @param server a server started by server_open()
 * @return 0, or -1 if a close or the unlink failed (the rest is still done).
 */
int server_close(struct fifo_server *server);

/**
 * @brief Sends @p text to the server in @p dir and returns its reply.
 *
 * Follows the protocol: creates `reply.PID` (a FIFO left by an earlier
 * process with the same pid is reused), opens it for reading without
 * waiting, opens the request FIFO without waiting (ENXIO: no server is
 * running), writes the request in one write(2) (waiting for room if the
 * request FIFO is full), then waits for the reply and reads it until end of
 * file. A signal ends none of these waits: the write(2), the poll(2) and the
 * read(2) that fail with EINTR are made again (a write(2) of at most
 * PIPE_BUF bytes that fails with EINTR has written nothing, so the request
 * still goes out in one piece). The reply FIFO is removed before returning,
 * on every path. Nothing is ever written at or past reply[cap] (with @p cap
 * 0, nothing at all).
 *
 * @param dir   the server's directory
 * @param text  the request, at most FIFO_TEXT_MAX - 1 bytes before its NUL
 * @param reply where the reply goes, NUL-terminated
 * @param cap   the size of @p reply, its NUL included
 * @return the length of the reply (without the NUL), or -1 (EMSGSIZE: @p
 *         text is too long and nothing was sent; ENXIO: no server; ENOENT:
 *         no request FIFO; EPIPE: with SIGPIPE ignored, the server closed
 *         the request FIFO before the request could be written; ENOBUFS:
 *         the reply did not fit in @p cap, its NUL included).
 */
ssize_t client_request(const char *dir, const char *text, char *reply, size_t cap);

#endif
