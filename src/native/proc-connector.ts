// The kernel's process connector (netlink, NETLINK_CONNECTOR, CN_IDX_PROC):
// one datagram per fork, exec and exit anywhere on the system, as they
// happen, for what `--follow` needs to learn of new processes without
// reading /proc again and again. Listening needs CAP_NET_ADMIN (root, or a
// service given it); for anyone else the kernel refuses the bind, and
// process-starts.ts polls /proc instead. Read without blocking (MSG_DONTWAIT):
// the runtimes' FFIs have no portable way to wait on a socket, so the caller
// drains it on a timer.
import type { Libc } from './libc.ts';

const AF_NETLINK = 16;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_CONNECTOR = 11;
const CN_IDX_PROC = 1;
const CN_VAL_PROC = 1;
const NLMSG_DONE = 3;
const PROC_CN_MCAST_LISTEN = 1;
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;
const ENOBUFS = 105;

const PROC_EVENT_FORK = 0x1;
const PROC_EVENT_EXEC = 0x2;
const PROC_EVENT_UID = 0x4;
const PROC_EVENT_COMM = 0x200;
const PROC_EVENT_EXIT = 0x80000000;

/** Where a proc_event begins in a datagram: after nlmsghdr (16 bytes) and cn_msg (20). */
const EVENT = 36;

/**
 * A process the kernel told of: a new one (fork of a process, not a thread), a program started (exec), one that
 * changed its uids or its name (a worker that drops privileges or names itself after its fork), or an exit.
 */
export type ProcEvent =
  | { readonly kind: 'fork'; readonly pid: number; readonly parent: number }
  | { readonly kind: 'exec'; readonly pid: number }
  | { readonly kind: 'renamed'; readonly pid: number }
  | { readonly kind: 'exit'; readonly pid: number };

export interface ProcConnector {
  /**
   * The events since the last call, oldest first; `lost` when the kernel
   * dropped some (its socket buffer filled): the caller must look at /proc afresh.
   */
  drain(): { events: ProcEvent[]; lost: boolean };
  close(): void;
}

/** Listens to the process connector, or says why it cannot (not permitted, no such kernel feature). */
export function openProcConnector(libc: Libc, pid: number): ProcConnector | { refused: string } {
  const fd = libc.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) return { refused: `socket: errno ${-fd}` };
  const fail = (what: string, errno: number) => {
    libc.close(fd);
    return { refused: `${what}: ${errno === 1 ? 'not permitted (it needs CAP_NET_ADMIN)' : `errno ${errno}`}` };
  };
  // sockaddr_nl: family, pad, port id (0: the kernel picks one), the multicast groups.
  const address = new Uint8Array(12);
  const view = new DataView(address.buffer);
  view.setUint16(0, AF_NETLINK, true);
  view.setUint32(8, CN_IDX_PROC, true);
  const bound = libc.bind(fd, address, address.length);
  if (bound < 0) return fail('bind', -bound);
  // nlmsghdr, cn_msg, then the operation: listen.
  const message = new Uint8Array(16 + 20 + 4);
  const m = new DataView(message.buffer);
  m.setUint32(0, message.length, true);
  m.setUint16(4, NLMSG_DONE, true);
  m.setUint32(12, pid, true);
  m.setUint32(16, CN_IDX_PROC, true);
  m.setUint32(20, CN_VAL_PROC, true);
  m.setUint16(32, 4, true);
  m.setUint32(36, PROC_CN_MCAST_LISTEN, true);
  const sent = libc.send(fd, message, message.length, 0);
  if (sent < 0) return fail('send', -sent);
  const buffer = new Uint8Array(4096);
  const data = new DataView(buffer.buffer);
  return {
    drain() {
      const events: ProcEvent[] = [];
      let lost = false;
      for (;;) {
        const n = libc.recv(fd, buffer, buffer.length, MSG_DONTWAIT);
        if (n === -EAGAIN) break;
        if (n === -ENOBUFS) {
          lost = true;
          continue;
        }
        if (n < 0) {
          lost = true; // unexpected: treated as a loss, so the caller rescans /proc
          break;
        }
        if (n < EVENT + 16) continue;
        const what = data.getUint32(EVENT, true);
        if (what === PROC_EVENT_FORK) {
          const [parentTgid, childPid, childTgid] = [data.getUint32(EVENT + 20, true), data.getUint32(EVENT + 24, true), data.getUint32(EVENT + 28, true)];
          if (childPid === childTgid) events.push({ kind: 'fork', pid: childTgid, parent: parentTgid }); // a thread is no new process
        } else if (what === PROC_EVENT_EXEC) {
          events.push({ kind: 'exec', pid: data.getUint32(EVENT + 20, true) });
        } else if (what === PROC_EVENT_UID || what === PROC_EVENT_COMM) {
          events.push({ kind: 'renamed', pid: data.getUint32(EVENT + 20, true) });
        } else if (what === PROC_EVENT_EXIT) {
          const [exitPid, exitTgid] = [data.getUint32(EVENT + 16, true), data.getUint32(EVENT + 20, true)];
          if (exitPid === exitTgid) events.push({ kind: 'exit', pid: exitTgid });
        }
      }
      return { events, lost };
    },
    close: () => void libc.close(fd),
  };
}
