// Each attack a model-written program could make is contained, reported with its reason, and
// leaves no process (none of the sandbox uid in /proc, no child of ours) and no file behind
// (the run directory lists the same names before and after; the host's /tmp, shared with
// other programs, holds no dsmath-sandbox* name).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>

#include "sandbox/unique_fd.hpp"
#include "sandbox_fixture.hpp"
#include "test_util.hpp"

using namespace dsmath;
using namespace dsmath::sandbox;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

struct Contained {
  SandboxResult result;
  double seconds = 0;
};

// Runs `program` and checks that nothing of it outlives run(): called by every attack below.
Contained run_contained(const Sandbox& sb, const std::string& program) {
  const auto cwd_before = test::listing(fs::current_path());
  const auto t0 = std::chrono::steady_clock::now();
  Contained c{sb.run(program), 0};
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO("stdout: " << c.result.stdout_text.substr(0, 2000) << "\nstderr: " << c.result.stderr_text.substr(0, 2000));
  CHECK(test::processes_of_uid(sb.sandbox_uid(0)) == 0);
  CHECK(test::no_children_left());
  CHECK(test::listing(fs::current_path()) == cwd_before);
  for (const auto& name : test::listing("/tmp")) CHECK_FALSE(name.starts_with("dsmath-sandbox"));
  return c;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

TEST_CASE("attack: network, the internet and the host's loopback, is unreachable") {
  REQUIRE_SANDBOX();
  Sandbox sb(test::test_sandbox_config());
  // A server on the host's 127.0.0.1 that the program tries to reach.
  UniqueFd server(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  REQUIRE(server);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(server.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(server.get(), 4) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(server.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const int port = ntohs(addr.sin_port);

  const auto c = run_contained(sb,
      "import socket\n"
      "def attempt(host, port):\n"
      "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
      "    s.settimeout(2)\n"
      "    try:\n"
      "        s.connect((host, port)); return 'connected'\n"
      "    except OSError as e:\n"
      "        return type(e).__name__\n"
      "print(attempt('127.0.0.1', " + std::to_string(port) + "))\n"
      "print(attempt('1.1.1.1', 53))\n"
      "print(attempt('10.0.0.1', 80))\n"
      "try:\n"
      "    socket.getaddrinfo('github.com', 443); print('resolved')\n"
      "except OSError as e:\n"
      "    print('no dns')\n"
      "print([l.split(':')[0].strip() for l in open('/proc/net/dev').readlines()[2:]])\n");
  REQUIRE(c.result.reason == StopReason::ok);
  // the loopback inside is the namespace's own: nothing listens on the port there
  CHECK(c.result.stdout_text == "ConnectionRefusedError\nOSError\nOSError\nno dns\n['lo']\n");
  // and the host's server saw no connection
  CHECK(::accept(server.get(), nullptr, nullptr) < 0);
  CHECK(errno == EAGAIN);
}

TEST_CASE("attack: reading the run directory, /etc/shadow, /etc/passwd and the home directory fails") {
  REQUIRE_SANDBOX();
  Sandbox sb(test::test_sandbox_config());
  const fs::path dir = test::temp_dir("sandbox-secret");
  {
    std::ofstream(dir / "secret.txt") << "the gold answers\n";
  }
  const std::string home = std::getenv("HOME") ? std::getenv("HOME") : "/root";
  const auto c = run_contained(sb,
      "import os\n"
      "for p in [" + quoted((dir / "secret.txt").string()) + ", " + quoted(fs::current_path().string()) + ", " +
      quoted(home) + ", '/etc/shadow', '/etc/passwd', '/work', '/root/.bashrc', '/home']:\n"
      "    try:\n"
      "        (os.listdir if os.path.isdir(p) else open)(p); print('READ', p)\n"
      "    except OSError as e:\n"
      "        print(type(e).__name__)\n"
      "allowed = {'bin', 'dev', 'etc', 'lib', 'lib32', 'lib64', 'libx32', 'proc', 'sandbox', 'sbin', 'tmp', 'usr'}\n"
      "print(sorted(set(os.listdir('/')) - allowed), 'usr' in os.listdir('/'))\n"
      "print(sorted(os.listdir('/etc')))\n");
  REQUIRE(c.result.reason == StopReason::ok);
  CHECK(c.result.stdout_text ==
        "FileNotFoundError\nFileNotFoundError\nFileNotFoundError\nFileNotFoundError\nFileNotFoundError\n"
        "FileNotFoundError\nFileNotFoundError\nFileNotFoundError\n"
        "[] True\n"
        "['alternatives', 'ld.so.cache']\n");
  fs::remove_all(dir);
}

TEST_CASE("attack: writing outside the private tmpfs fails; the tmpfs vanishes with the run") {
  REQUIRE_SANDBOX();
  Sandbox sb(test::test_sandbox_config());
  const auto c = run_contained(sb,
      "import os\n"
      "for p in ['/usr/dsmath-pwned', '/dsmath-pwned', '/etc/dsmath-pwned', '/sandbox/main.py', '/proc/sysrq-trigger',"
      " '/proc/sys/kernel/hostname', '/dev/dsmath-pwned']:\n"
      "    try:\n"
      "        with open(p, 'w') as f: f.write('x')\n"
      "        print('WROTE', p)\n"
      "    except OSError as e:\n"
      "        print(e.errno, end=' ')\n"
      "print()\n"
      "open('/tmp/dsmath-sandbox-left-behind', 'w').write('x' * 1000)\n"
      "print(os.path.getsize('/tmp/dsmath-sandbox-left-behind'))\n"
      "try:\n"  // one file past the 16 MiB file-size limit: EFBIG (Python ignores SIGXFSZ)
      "    open('/tmp/dsmath-sandbox-big', 'wb').write(b'x' * (20 << 20))\n"
      "except OSError as e:\n"
      "    print('file', e.errno)\n"
      "try:\n"  // 15 MiB files: with the 16 MiB cut file, the 64 MiB tmpfs is full at the fourth
      "    for i in range(8):\n"
      "        open(f'/tmp/f{i}', 'wb').write(b'x' * (15 << 20))\n"
      "except OSError as e:\n"
      "    print('tmpfs', i, e.errno)\n");
  INFO(c.result.stderr_text);
  CHECK(c.result.reason == StopReason::ok);
  // EROFS (30) for the read-only binds, the root and /dev; /proc/sysrq-trigger is absent
  // (ENOENT 2); /proc/sys refuses the unprivileged uid (EACCES 13); EFBIG 27; ENOSPC 28
  CHECK(c.result.stdout_text == "30 30 30 30 2 13 30 \n1000\nfile 27\ntmpfs 3 28\n");
  CHECK_FALSE(fs::exists("/tmp/dsmath-sandbox-left-behind"));
  CHECK_FALSE(fs::exists("/usr/dsmath-pwned"));
}

TEST_CASE("attack: a fork bomb is held at the process limit and killed at the timeout") {
  REQUIRE_SANDBOX();
  auto config = test::test_sandbox_config();
  config.limits.wall_seconds = 3;
  Sandbox sb(config);
  // How far forking gets: children that sleep, counted until fork fails.
  const auto counted = run_contained(sb,
      "import os, time\n"
      "n = 0\n"
      "try:\n"
      "    for _ in range(1000):\n"
      "        if os.fork() == 0:\n"
      "            time.sleep(60); os._exit(0)\n"
      "        n += 1\n"
      "except OSError as e:\n"
      "    print(type(e).__name__, n)\n");
  INFO(counted.result.stderr_text);
  CHECK(counted.result.reason == StopReason::ok);
  // 16 processes for the uid: bwrap, bwrap's init and the program are three
  CHECK(counted.result.stdout_text == "BlockingIOError 13\n");
  CHECK(counted.seconds < 3.0);  // the sleeping children did not hold the run open

  const auto bomb = run_contained(sb,
      "import os\n"
      "while True:\n"
      "    try:\n"
      "        os.fork()\n"
      "    except OSError:\n"
      "        pass\n");
  CHECK(bomb.result.reason == StopReason::timeout);
  CHECK(bomb.seconds >= 3.0);
  CHECK(bomb.seconds < 3.0 + 2.5);
}

TEST_CASE("attack: unbounded allocation stops at the memory limit") {
  REQUIRE_SANDBOX();
  Sandbox sb(test::test_sandbox_config());
  const auto c = run_contained(sb, "x = []\nwhile True:\n    x.append(bytearray(10 ** 7))\n");
  CHECK(c.result.reason == StopReason::memory);
  CHECK_THAT(c.result.stderr_text, Contains("MemoryError"));
  const auto np = run_contained(sb, "import numpy as np\na = np.ones(10 ** 10)\n");
  CHECK(np.result.reason == StopReason::memory);
}

TEST_CASE("attack: an infinite loop ends at the wall clock, a CPU hog at the CPU limit") {
  REQUIRE_SANDBOX();
  auto config = test::test_sandbox_config();
  config.limits.wall_seconds = 2;
  config.limits.cpu_seconds = 30;
  Sandbox sb(config);
  const auto sleeper = run_contained(sb, "import time\nwhile True:\n    time.sleep(1)\n");
  CHECK(sleeper.result.reason == StopReason::timeout);
  CHECK(sleeper.seconds >= 2.0);
  CHECK(sleeper.seconds < 2.0 + 2.5);

  config.limits.wall_seconds = 30;
  config.limits.cpu_seconds = 1;
  Sandbox cpu_bound(config);
  const auto spin = run_contained(cpu_bound, "while True:\n    pass\n");
  CHECK(spin.result.reason == StopReason::timeout);  // SIGXCPU after 1 s of CPU
  CHECK(spin.result.exit_code == 128 + 24);
  CHECK(spin.seconds < 10.0);  // far below the 30 s wall limit even on a loaded machine
}

TEST_CASE("attack: gigabytes of output are cut at the cap and the program killed") {
  REQUIRE_SANDBOX();
  Sandbox sb(test::test_sandbox_config());  // 64 KiB cap per stream, 4 s wall
  const auto c = run_contained(sb, "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n");
  CHECK(c.result.reason == StopReason::output_limit);
  CHECK(c.result.stdout_text.size() == 64 * 1024);
  CHECK(c.result.stdout_text.find_first_not_of('x') == std::string::npos);
  CHECK(c.seconds < 4.0);  // killed at the cap, not at the timeout
  const auto e = run_contained(sb, "import sys\nwhile True:\n    sys.stderr.write('y' * 4096)\n");
  CHECK(e.result.reason == StopReason::output_limit);
  CHECK(e.result.stderr_text.size() == 64 * 1024);
}

TEST_CASE("attack: a background process left behind dies with the program") {
  REQUIRE_SANDBOX();
  Sandbox sb(test::test_sandbox_config());
  // A daemon in the classic way: double fork, new session, stdio closed, so that no pipe of
  // ours tells that it lives; and a plain subprocess that would sleep for a minute.
  const auto c = run_contained(sb,
      "import os, subprocess, time\n"
      "subprocess.Popen(['sleep', '60'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)\n"
      "if os.fork() == 0:\n"
      "    os.setsid()\n"
      "    if os.fork() == 0:\n"
      "        for fd in (0, 1, 2): os.close(fd)\n"
      "        time.sleep(60)\n"
      "    os._exit(0)\n"
      "time.sleep(0.3)\n"
      "print(len([p for p in os.listdir('/proc') if p.isdigit()]))\n");
  INFO(c.result.stderr_text);
  CHECK(c.result.reason == StopReason::ok);
  // bwrap's init, the program, sleep, the daemon and its exited (unreaped) parent
  CHECK(c.result.stdout_text == "5\n");
  CHECK(c.seconds < 4.0);  // the run ended with the program, not at the timeout
}

TEST_CASE("attack: /proc shows only the sandbox's own processes and root") {
  REQUIRE_SANDBOX();
  Sandbox sb(test::test_sandbox_config());
  const std::string host_pid = std::to_string(::getpid());
  const auto c = run_contained(sb,
      "import os\n"
      "print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))\n"
      "for p in ['/proc/" + host_pid + "/environ', '/proc/" + host_pid + "/root', '/proc/1/root/root']:\n"
      "    try:\n"
      "        os.listdir(p) if p.endswith('root') else open(p).read(); print('READ', p)\n"
      "    except OSError as e:\n"
      "        print(type(e).__name__)\n"
      "print(sorted(os.listdir('/proc/1/root')) == sorted(os.listdir('/')))\n"
      "print(open('/proc/1/cmdline').read().split(chr(0))[0].rsplit('/', 1)[-1])\n"
      "try:\n"
      "    os.kill(1, 9); print('killed init')\n"
      "except OSError as e:\n"
      "    print(type(e).__name__)\n");
  INFO(c.result.stderr_text);
  CHECK(c.result.reason == StopReason::ok);
  // the namespace holds bwrap's init (1) and the program (2); the host's pids do not exist there;
  // /proc/1/root is the sandbox's own root; init ignores a signal from its namespace (pid_namespaces(7))
  CHECK(c.result.stdout_text ==
        "[1, 2]\nFileNotFoundError\nFileNotFoundError\nFileNotFoundError\nTrue\nbwrap\nkilled init\n");
}
