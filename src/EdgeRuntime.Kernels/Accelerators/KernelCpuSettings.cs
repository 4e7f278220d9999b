namespace EdgeRuntime.Kernels.Accelerators;

/// <summary>
/// How ILGPU's CPU accelerator is made when the kernels run on the CPU. Each launch wakes every worker thread and
/// ends in a spinning barrier, so on a small board the workers compete with serving for the cores: on-device learning
/// uses one multiprocessor (its vectors are a head and biases, a few thousand floats) at the learning thread's nice
/// value (docs/learning.md, "Training next to serving").
/// </summary>
/// <param name="Multiprocessors">Simulated multiprocessors (one worker group each); 0 for one per core.</param>
/// <param name="WorkerNice">Linux nice value given to the accelerator's threads, workers and clean-up (0 leaves them at the process's priority).</param>
/// <param name="WorkerIdlePolicy">Also put those threads under SCHED_IDLE (ThreadCpuClock.LowerToIdle). Off for on-device learning: on
/// two cores a busy SCHED_IDLE thread raised the serving p99 more than the same thread at nice 10 (docs/learning.md).</param>
public sealed record KernelCpuSettings(int Multiprocessors = 0, int WorkerNice = 0, bool WorkerIdlePolicy = false);
