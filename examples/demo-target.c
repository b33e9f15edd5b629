// pvm's built-in demo target: a tiny "game server" holding a player record
// behind a pointer. It prints where its world lives, then serves until stdin
// closes: each line it reads is a tick, after which it prints its state.
// `npm run demo` compiles it, starts it, reads, scans and hot-patches it.
// With --serve it ignores stdin (a shell's `&` gives it one at EOF, which
// would end it at once), prints its pid and addresses for people, and runs
// until it is killed: the target to try recipes on by hand.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

struct inventory { uint32_t gold; uint16_t potions; uint16_t arrows; };
struct player {
  char name[16];
  uint32_t level;
  int32_t health;
  struct inventory *inventory;
  double speed;
};
// `guest` is on the heap, as most of a real program's data is: its address
// changes from run to run, and a pointer scan finds the way to it.
struct world { uint64_t tick; struct player *player; const char *motd; struct player *guest; };

static struct inventory bag = { 1337, 3, 250 };
static struct player hero = { "ada", 42, -7, &bag, 1.25 };
struct world world = { 0, &hero, "welcome to the pvm demo", NULL };

/** A guest and its inventory on the heap. */
static void seat_guest(void) {
  struct inventory *pack = calloc(1, sizeof *pack);
  struct player *guest = calloc(1, sizeof *guest);
  if (pack == NULL || guest == NULL) return;
  *pack = (struct inventory){ 250, 1, 20 };
  strcpy(guest->name, "bo");
  guest->level = 7;
  guest->health = 30;
  guest->inventory = pack;
  guest->speed = 1.0;
  world.guest = guest;
}

// The rule the demo patches while the server runs.
__attribute__((noinline)) int can_fly(const struct player *p) {
  (void)p;
  return 0;
}

static _Noreturn void serve(void) {
  printf("demo-target: pid %d, serving until killed (kill %d)\n", (int)getpid(), (int)getpid());
  printf("  world          %p  (symbol \"world\")\n", (void *)&world);
  printf("  &world.player  %p  (pointer-path.pvm's base; offsets 0x18,0x0)\n", (void *)&world.player);
  printf("  bag.gold       %p  (%u)\n", (void *)&bag.gold, bag.gold);
  printf("  guest's gold   %p  (%u, on the heap: pointer-scan.pvm's address)\n", (void *)&world.guest->inventory->gold, world.guest->inventory->gold);
  fflush(stdout);
  for (;;) pause();
}

int main(int argc, char **argv) {
  // Under Yama ptrace_scope 1 (Ubuntu, Fedora) only an ancestor may read a
  // process, and pvm is this server's sibling: let whoever started us (the
  // demo script, or the shell that ran --serve), and what it starts, in.
  // Without Yama this fails and changes nothing.
  prctl(PR_SET_PTRACER, (unsigned long)getppid(), 0, 0, 0);
  seat_guest();
  if (argc > 1 && strcmp(argv[1], "--serve") == 0) serve();
  printf("{\"pid\":%d,\"world\":\"%p\"}\n", (int)getpid(), (void *)&world);
  fflush(stdout);
  char buffer[64];
  while (read(0, buffer, sizeof buffer) > 0) {
    world.tick++;
    printf("tick %llu: %s can fly: %s, gold %u\n", (unsigned long long)world.tick, hero.name, can_fly(&hero) ? "yes" : "no", bag.gold);
    fflush(stdout);
  }
  return 0;
}
