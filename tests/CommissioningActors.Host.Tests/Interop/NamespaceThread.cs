using System.Runtime.InteropServices;

namespace CommissioningActors.Host.Tests.Interop;

/// <summary>
/// Runs a constructor on a thread of this process that has joined a <see cref="NetworkNamespace"/>: the sockets it
/// opens (and the interfaces it sees) are the namespace's, and stay so whichever thread uses them later. The
/// thread ends right after, so no other work of the test process ever runs inside the namespace.
/// </summary>
public static class NamespaceThread
{
    private const int CloneNewNet = 0x40000000;

    public static Task<T> CreateInsideAsync<T>(NetworkNamespace network, Func<T> create)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(network.Path, FileMode.Open, FileAccess.Read);
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({network.Path}) failed: errno {Marshal.GetLastPInvokeError()} (root is needed)");
                }

                result.SetResult(create());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        })
        { IsBackground = true, Name = "netns-create" };
        thread.Start();
        return result.Task;
    }

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNs(int fd, int nstype);
}
