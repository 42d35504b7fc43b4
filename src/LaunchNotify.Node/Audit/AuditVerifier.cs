using System.Globalization;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Node.Audit;

/// <summary>What is wrong at one place in the chain.</summary>
public enum AuditProblem
{
    /// <summary>A sequence number is missing: the entry was deleted.</summary>
    Missing,
    /// <summary>The entry's details are not in canonical form (the text was edited).</summary>
    NotCanonical,
    /// <summary>The entry's content no longer hashes to its stored hash (seq, instant, type, subject or details changed).</summary>
    ContentHash,
    /// <summary>The entry's prev is not the previous entry's hash (an entry before it was altered and re-hashed, replaced, inserted or reordered).</summary>
    PrevLink,
    /// <summary>The chain head row does not point at the last entry (entries removed from the end, or the head edited).</summary>
    Head,
    /// <summary>The entry's hash is not the one an officer recorded (the chain was rewritten up to there).</summary>
    Anchor,
}

public sealed record AuditBreak(long Seq, AuditProblem Problem, string Message)
{
    public override string ToString() => $"entry {Seq}: {Message}";
}

/// <summary>A hash an officer recorded elsewhere (<c>SEQ:HASH</c>), to catch a chain rewritten consistently from the start.</summary>
public sealed record AuditAnchor(long Seq, string Hash)
{
    public static bool TryParse(string text, out AuditAnchor? anchor)
    {
        anchor = null;
        var parts = text.Split(':');
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seq) || seq < 1
            || parts[1].Length != 64 || !parts[1].All(char.IsAsciiHexDigit))
            return false;
        anchor = new AuditAnchor(seq, parts[1].ToLowerInvariant());
        return true;
    }

    public override string ToString() => $"{Seq}:{Hash}";
}

public sealed record AuditProgress(long Checked, long Total);

/// <summary>The result of recomputing the chain: how far it was checked, its head, and every break found (the first is what matters).</summary>
public sealed record AuditVerification(long Checked, long LastSeq, string HeadHash, IReadOnlyList<AuditBreak> Breaks, bool MoreBreaks)
{
    public bool Intact => Breaks.Count == 0;
    public AuditBreak? FirstBreak => Breaks.Count > 0 ? Breaks[0] : null;
}

/// <summary>Recomputes a store's audit chain from entry 1: numbering, canonical details, each hash, each link, the head.</summary>
public static class AuditVerifier
{
    private const int MaxBreaksReported = 20;

    public static async Task<AuditVerification> VerifyAsync(NodeDbContext db, AuditAnchor? anchor = null, IProgress<AuditProgress>? progress = null,
        int pageSize = 2000, CancellationToken ct = default)
    {
        var entries = db.Set<AuditEntry>().AsNoTracking();
        var total = await entries.LongCountAsync(ct);
        var breaks = new List<AuditBreak>();
        var more = false;
        void Break(long seq, AuditProblem problem, string message)
        {
            if (breaks.Count < MaxBreaksReported)
                breaks.Add(new AuditBreak(seq, problem, message));
            else
                more = true;
        }

        long expected = 1, checkedCount = 0, last = 0;
        var prevHash = AuditChain.GenesisHash;
        var anchorSeen = false;
        while (true)
        {
            var after = last;
            var page = await entries.Where(e => e.Seq > after).OrderBy(e => e.Seq).Take(pageSize).ToListAsync(ct);
            if (page.Count == 0)
                break;
            foreach (var entry in page)
            {
                if (entry.Seq != expected)
                {
                    var missing = entry.Seq - expected == 1 ? $"entry {expected} is" : $"entries {expected}-{entry.Seq - 1} are";
                    Break(expected, AuditProblem.Missing, $"{missing} missing (after entry {expected - 1} comes {entry.Seq}): deleted from the log.");
                }
                var recomputed = TryHash(entry, out var encodingError);
                if (!CanonicalJson.IsCanonical(entry.DetailsJson))
                    Break(entry.Seq, AuditProblem.NotCanonical, $"its details are not canonical JSON{(encodingError is null ? "" : $" ({encodingError})")}: the stored text was edited.");
                else if (recomputed != entry.Hash)
                    Break(entry.Seq, AuditProblem.ContentHash,
                        $"content hash differs: stored {Short(entry.Hash)}, recomputed {Short(recomputed)}; its seq, instant, type, subject, details or prev were changed.");
                if (entry.PrevHash != prevHash)
                    Break(entry.Seq, AuditProblem.PrevLink,
                        $"prev link broken: it names {Short(entry.PrevHash)} but entry {last} hashes to {Short(prevHash)}; an entry before it was altered, replaced, inserted or reordered.");
                if (anchor is not null && entry.Seq == anchor.Seq)
                {
                    anchorSeen = true;
                    if (entry.Hash != anchor.Hash)
                        Break(entry.Seq, AuditProblem.Anchor, $"hash is {Short(entry.Hash)}, not the anchored {Short(anchor.Hash)}: the log was rewritten up to here.");
                }
                prevHash = entry.Hash;
                last = entry.Seq;
                expected = entry.Seq + 1;
                checkedCount++;
            }
            progress?.Report(new AuditProgress(checkedCount, total));
        }

        if (anchor is not null && !anchorSeen)
            Break(anchor.Seq, AuditProblem.Anchor, $"the anchored entry {anchor.Seq} is not in the log (it ends at {last}): entries were removed.");

        var head = await db.Set<AuditChainHead>().AsNoTracking().SingleOrDefaultAsync(h => h.Id == AuditChainHead.SingleRowId, ct);
        if (head is null && last > 0)
            Break(last, AuditProblem.Head, "the chain head row is missing while the log has entries.");
        else if (head is not null && (head.Seq != last || head.Hash != prevHash))
            // Named at the first entry the head and the log disagree about.
            Break(head.Seq == last ? last : Math.Min(head.Seq, last) + 1, AuditProblem.Head,
                $"the chain head says the last entry is {head.Seq} with hash {Short(head.Hash)}, but the log ends at {last} with {Short(prevHash)}: entries were removed from the end, or the head was edited.");

        return new AuditVerification(checkedCount, last, prevHash, breaks.OrderBy(b => b.Seq).ToList(), more);
    }

    private static string TryHash(AuditEntry entry, out string? error)
    {
        try
        {
            error = null;
            return AuditChain.ComputeHash(entry);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            error = e.Message;
            return "(details unreadable)";
        }
    }

    private static string Short(string hash) => hash.Length > 16 ? hash[..16] + "…" : hash;
}
