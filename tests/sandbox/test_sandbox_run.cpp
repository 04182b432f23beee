// The executor's ordinary behaviour: output, exit status, stop reasons, Python packages, the
// parallel pool, and clear errors when bwrap or the interpreter is missing.
#include <catch2/catch.hpp>

#include <chrono>

#include "core/error.hpp"
#include "sandbox/sandbox_pool.hpp"
#include "sandbox_fixture.hpp"

using namespace dsmath;
using namespace dsmath::sandbox;
using Catch::Contains;

TEST_CASE("sandbox: a program's stdout, stderr and exit status come back") {
  REQUIRE_SANDBOX();
  Sandbox sb(test::test_sandbox_config());
  const auto r = sb.run("import sys\nprint('hello', 6 * 7)\nprint('to stderr', file=sys.stderr)\n");
  INFO(r.stderr_text);
  CHECK(r.reason == StopReason::ok);
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_text == "hello 42\n");
  CHECK(r.stderr_text == "to stderr\n");

  const auto e = sb.run("print('before')\nx = 1 / 0\n");
  CHECK(e.reason == StopReason::error);
  CHECK(e.exit_code == 1);  // Python's status for an uncaught exception
  CHECK(e.stdout_text == "before\n");
  CHECK_THAT(e.stderr_text, Contains("ZeroDivisionError"));

  CHECK(sb.run("import sys\nsys.exit(3)\n").exit_code == 3);
  // stdin is at EOF: input() raises instead of waiting (DeepSeek's executor rejects input( by regex)
  const auto in = sb.run("input()\n");
  CHECK(in.reason == StopReason::error);
  CHECK_THAT(in.stderr_text, Contains("EOFError"));
  // a signal the program sends itself: 128 + 11, reported as a signal
  const auto seg = sb.run("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n");
  CHECK(seg.reason == StopReason::signal);
  CHECK(seg.exit_code == 128 + 11);
  CHECK(test::no_children_left());
}

TEST_CASE("sandbox: sympy and numpy are importable and compute") {
  REQUIRE_SANDBOX();
  auto config = test::test_sandbox_config();
  config.limits.wall_seconds = 60;  // importing sympy takes seconds on a loaded 2-core machine
  config.limits.cpu_seconds = 60;
  Sandbox sb(config);
  CHECK_NOTHROW(sb.check_python_packages());
  const auto r = sb.run(
      "from sympy import symbols, Eq, solve, sqrt\n"
      "import numpy as np\n"
      "x = symbols('x')\n"
      "print(solve(Eq(sqrt(3*x + 5)/sqrt(6*x + 5), sqrt(5)/3), x))\n"
      "print(int(np.arange(10).sum()))\n");
  INFO(r.stderr_text);
  CHECK(r.reason == StopReason::ok);
  CHECK(r.stdout_text == "[20/3]\n45\n");  // the PAL MATH prompt's first exemplar: x = 20/3
}

TEST_CASE("sandbox: the program runs without privileges, capabilities or the host's identity") {
  REQUIRE_SANDBOX();
  Sandbox sb(test::test_sandbox_config());
  const auto r = sb.run(
      "import os, socket\n"
      "caps = [l.split()[1] for l in open('/proc/self/status') if l.startswith(('CapEff', 'CapPrm'))]\n"
      "print(caps, os.getpid(), socket.gethostname(), os.getcwd())\n");
  INFO(r.stderr_text);
  REQUIRE(r.reason == StopReason::ok);
  // no effective or permitted capability; pid 2 under bwrap's init; its own hostname; cwd /tmp
  CHECK(r.stdout_text == "['0000000000000000', '0000000000000000'] 2 sandbox /tmp\n");
}

TEST_CASE("sandbox: runs in parallel up to the limit, results in input order") {
  REQUIRE_SANDBOX();
  auto config = test::test_sandbox_config();
  config.parallel = 2;
  Sandbox sb(config);
  std::vector<std::string> programs;
  for (int i = 0; i < 6; ++i) programs.push_back("import time\ntime.sleep(0.5)\nprint(" + std::to_string(i * i) + ")\n");
  const auto t0 = std::chrono::steady_clock::now();
  const auto results = run_programs(sb, programs);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(results.size() == 6);
  for (int i = 0; i < 6; ++i) CHECK(results[static_cast<size_t>(i)].stdout_text == std::to_string(i * i) + "\n");
  // 6 programs of 0.5 s on 2 slots: at least 3 rounds, so >= 1.5 s; one slot would be >= 3 s
  CHECK(seconds >= 1.5);
  CHECK(seconds < 3.0 + 3.0);  // generous: the machine is shared; the lower bound is the check
  CHECK(test::processes_of_uid(sb.sandbox_uid(0)) == 0);
  CHECK(test::processes_of_uid(sb.sandbox_uid(1)) == 0);
  CHECK(test::no_children_left());
}

TEST_CASE("sandbox: a missing bwrap or interpreter is a clear error naming the key and the fix") {
  SandboxConfig config;
  config.bwrap = "no-such-bwrap-here";
  try {
    Sandbox sb(config);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(std::string(e.what()), Contains("no-such-bwrap-here") && Contains("sandbox.bwrap"));
    CHECK_THAT(e.hint(), Contains("bubblewrap") && Contains("scripts/setup.sh"));
  }
  config.bwrap = "/bin/true";
  config.python = "/usr/bin/python-missing";
  try {
    Sandbox sb(config);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(std::string(e.what()), Contains("sandbox.python") && Contains("/usr/bin/python-missing"));
    CHECK_THAT(e.hint(), Contains("python3"));
  }
  config.python = "/opt/python/bin/python3";
  CHECK_THROWS_WITH(Sandbox(config), Contains("only /usr is visible"));
}

TEST_CASE("sandbox: a bwrap that cannot start the program is an Error, not a program failure") {
  REQUIRE_SANDBOX();
  auto config = test::test_sandbox_config();
  config.bwrap = "/bin/false";  // exits 1 without starting anything, like a refused namespace
  Sandbox sb(config);
  CHECK_THROWS_WITH(sb.run("print(1)\n"), Contains("bwrap did not start the program"));
  CHECK(test::no_children_left());
}
