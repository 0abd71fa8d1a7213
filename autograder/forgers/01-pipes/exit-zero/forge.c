/* Forger: every graded function exits 0 at once. Score: 0 */
#include <unistd.h>

static void forge(void)
{
	_exit(0);
}
