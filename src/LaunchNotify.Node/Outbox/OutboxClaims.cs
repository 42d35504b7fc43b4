using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace LaunchNotify.Node.Outbox;

/// <summary>
/// A claim token that says who holds it, so that a dispatcher restarted after a crash can tell its dead predecessor's
/// claims from a live process's and take them back at once instead of waiting out the lease: bytes 0-3 are a hash of
/// the owner's name (centre, role and machine), bytes 4-7 the owner's process id, bytes 8-15 random (one token per batch).
/// </summary>
public static class OutboxClaims
{
    public static Guid NewToken(string owner, int processId)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, OwnerHash(owner));
        BinaryPrimitives.WriteInt32LittleEndian(bytes[4..], processId);
        RandomNumberGenerator.Fill(bytes[8..]);
        return new Guid(bytes);
    }

    /// <summary>
    /// Whether <paramref name="token"/> was taken by an earlier run of <paramref name="owner"/> on this machine whose
    /// process is gone: not this process, and no process of that id is running. A token of another owner, or of a
    /// process still running (even one of the same name), is not: its lease protects it.
    /// </summary>
    public static bool IsAbandoned(Guid token, string owner, int currentProcessId, Func<int, bool> isRunning)
    {
        Span<byte> bytes = stackalloc byte[16];
        token.TryWriteBytes(bytes);
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != OwnerHash(owner))
            return false;
        var processId = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        return processId != currentProcessId && !isRunning(processId);
    }

    /// <summary>Whether a process of this id runs on this machine.</summary>
    public static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            // Process.GetProcessById's way of saying there is none.
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Stable across processes and runs (string.GetHashCode is not).</summary>
    private static uint OwnerHash(string owner) => BinaryPrimitives.ReadUInt32LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(owner)));
}
