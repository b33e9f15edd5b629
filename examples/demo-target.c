// pvm's built-in demo target: a tiny "game server" holding a player record
// behind a pointer. It prints where its world lives, then serves until stdin
// closes. `npm run demo` compiles it, starts it and reads it with pvm.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct inventory { uint32_t gold; uint16_t potions; uint16_t arrows; };
struct player {
  char name[16];
  uint32_t level;
  int32_t health;
  struct inventory *inventory;
  double speed;
};
struct world { uint64_t tick; struct player *player; const char *motd; };

static struct inventory bag = { 1337, 3, 250 };
static struct player hero = { "ada", 42, -7, &bag, 1.25 };
struct world world = { 0, &hero, "welcome to the pvm demo" };

int main(void) {
  printf("{\"pid\":%d,\"world\":\"%p\"}\n", (int)getpid(), (void *)&world);
  fflush(stdout);
  char buffer[64];
  while (read(0, buffer, sizeof buffer) > 0) world.tick++;
  return 0;
}
