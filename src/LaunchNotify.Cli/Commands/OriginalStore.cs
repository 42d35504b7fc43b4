using LaunchNotify.Domain.Messages;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// For <c>validate --store</c>: the pre-notification a follow-up refers to, as it stands after the amendments the store
/// already holds (sent by this centre, or accepted from the follow-up's sender).
/// </summary>
internal static class OriginalStore
{
    public static async Task<PreNotification?> FindAsync(StorageOptions options, FileInfo followUpFile, CancellationToken ct)
    {
        if (!followUpFile.Exists)
            return null;
        var bytes = ValidateCommand.Unwrap(await File.ReadAllBytesAsync(followUpFile.FullName, ct));
        if (MessageParser.Parse(bytes).Message is not { } followUp || followUp.RelatesTo() is not { } reference)
            return null;
        var id = reference.Value;
        var sender = followUp.Sender.Value;
        return await NodeStoreOptions.Guarded(options, async () =>
        {
            await using var db = new StoreContextFactory(options).CreateDbContext();
            var sent = await db.OutboundMessages.AsNoTracking().SingleOrDefaultAsync(m => m.MessageId == id, ct);
            if (sent is not null)
            {
                if (sent.Kind != MessageKind.PreNotification.WireName())
                    return null;
                var amendments = await db.OutboundMessages.AsNoTracking()
                    .Where(m => m.RelatesTo == id && m.Kind == "amendment").OrderBy(m => m.IssuedAt).Select(m => m.PayloadJson).ToListAsync(ct);
                return Effective(sent.PayloadJson, amendments);
            }
            var received = await db.Inbox.AsNoTracking()
                .SingleOrDefaultAsync(m => m.MessageId == id && m.Sender == sender && m.Outcome == InboxOutcome.Accepted, ct);
            if (received?.PayloadJson is null || received.Kind != MessageKind.PreNotification.WireName())
                return null;
            var receivedAmendments = await db.Inbox.AsNoTracking()
                .Where(m => m.RelatesTo == id && m.Sender == sender && m.Kind == "amendment" && m.Outcome == InboxOutcome.Accepted && m.PayloadJson != null)
                .OrderBy(m => m.ReceivedAt).Select(m => m.PayloadJson!).ToListAsync(ct);
            return Effective(received.PayloadJson, receivedAmendments);
        });
    }

    private static PreNotification Effective(string originalJson, IEnumerable<string> amendmentJson) =>
        ((PreNotification)MessageParser.ReadStored(originalJson)).WithAmendments(amendmentJson.Select(j => (Amendment)MessageParser.ReadStored(j)));
}
