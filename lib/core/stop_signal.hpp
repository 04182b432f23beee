#pragma once
// Graceful stops for long runs. Schedulers announce preemption or the end of a time limit with
// a signal (Slurm: SIGTERM, or SIGUSR1 with --signal=USR1@SECONDS); the training loops check
// stop_requested() after each step, write a checkpoint and exit cleanly, so a requeued job
// loses nothing. A second SIGINT/SIGTERM a second or more after the first ends the process at once; one
// within a second is the same request delivered twice (GNU timeout signals the command and its
// process group). The flag is process-wide
// by nature (signals are), the one piece of global state besides the logger.
namespace dsmath {

void install_stop_handlers();
bool stop_requested();
int stop_signal_number();  // the signal that asked, 0 if none

}  // namespace dsmath
