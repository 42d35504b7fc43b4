using System.Data.Common;
using System.Net.Sockets;
using LaunchNotify.Node.Broker;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client.Exceptions;

namespace LaunchNotify.Node.Inbox;

/// <summary>
/// Which exceptions are faults of the machine that time heals (the store or the broker down, locked or unreachable):
/// retried. Everything else that reaches the consumer is permanent (content never throws, so it is a fault of this
/// node): never retried, the delivery is parked with its reason instead of blocking a consumer slot.
/// </summary>
public static class TransientFaults
{
    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY (a file made read-only under us), SQLITE_IOERR,
    // SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_PROTOCOL.
    private static readonly HashSet<int> SqliteTransientCodes = [5, 6, 7, 8, 10, 13, 14, 15];

    public static bool IsTransient(Exception exception) => exception switch
    {
        OperationCanceledException => false,
        DbUpdateConcurrencyException => false,
        BrokerUnavailableException or AlreadyClosedException or BrokerUnreachableException or OperationInterruptedException => true,
        TimeoutException or IOException or SocketException => true,
        SqliteException sqlite => SqliteTransientCodes.Contains(sqlite.SqliteErrorCode & 0xFF),
        DbException db => db.IsTransient || db.InnerException is { } inner && IsTransient(inner),
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsTransient),
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };
}
