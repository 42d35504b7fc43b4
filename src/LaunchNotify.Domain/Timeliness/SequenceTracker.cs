using LaunchNotify.Domain.Values;

namespace LaunchNotify.Domain.Timeliness;

/// <summary>One link's notification sequence: sender → recipient under one agreement.</summary>
public readonly record struct SequenceStreamKey(CentreCode Sender, CentreCode Recipient, AgreementId Agreement)
{
    public override string ToString() => $"{Sender}→{Recipient}/{Agreement}";
}

/// <summary>An inclusive range of sequence numbers, <see cref="From"/> ≤ <see cref="To"/>.</summary>
public readonly record struct SequenceRange
{
    public SequenceRange(long from, long to)
    {
        if (from < 1 || to < from)
            throw new ArgumentOutOfRangeException(nameof(to), $"A sequence range needs 1 ≤ from ≤ to (got {from}..{to}).");
        From = from;
        To = to;
    }

    public long From { get; }
    public long To { get; }
    public long Count => To - From + 1;
    public bool Contains(long sequence) => sequence >= From && sequence <= To;
    public IEnumerable<long> Numbers() { for (var s = From; s <= To; s++) yield return s; }
    public override string ToString() => From == To ? $"{From}" : $"{From}..{To}";
}

public enum SequenceObservationKind
{
    /// <summary>The next number expected.</summary>
    Next,
    /// <summary>Seen before (a redelivery or replay).</summary>
    Duplicate,
    /// <summary>Numbers were skipped; they are now missing.</summary>
    GapOpened,
    /// <summary>A missing number arrived late.</summary>
    GapFilled,
    /// <summary>A heartbeat's high-water mark revealed nothing new.</summary>
    UpToDate,
    /// <summary>A heartbeat claims fewer messages sent than were already seen: the sender's counter went back.</summary>
    Regressed,
}

/// <summary>What one observation changed. <see cref="NewlyMissing"/> is set for <see cref="SequenceObservationKind.GapOpened"/>.</summary>
public sealed record SequenceObservation(SequenceObservationKind Kind, long Sequence, SequenceRange? NewlyMissing = null);

/// <summary>
/// Follows the sequence numbers received on one link and says which are missing. Pure (no clock, no I/O) and
/// <b>mutable</b>: each <see cref="Observe"/> updates it. Not thread-safe; one tracker per link, owned by one consumer.
/// Missing numbers are kept as ranges, so a far jump (a peer's bug or malice) costs no memory.
/// </summary>
/// <remarks>How long a gap may stay open before it is alarmed is the agreement's <c>MissingGrace</c>: the caller's job.</remarks>
public sealed class SequenceTracker
{
    private readonly List<SequenceRange> _missing = [];

    public SequenceTracker(SequenceStreamKey key) => Key = key;

    /// <summary>
    /// Restores a tracker from stored state. Ranges that touch are joined (earlier versions could store "5,6" for
    /// "5-6"); ranges that overlap are refused.
    /// </summary>
    public SequenceTracker(SequenceStreamKey key, long highestSeen, IEnumerable<SequenceRange> missing)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(highestSeen);
        Key = key;
        HighestSeen = highestSeen;
        foreach (var range in missing.OrderBy(r => r.From))
        {
            if (range.To > highestSeen)
                throw new ArgumentException($"Missing range {range} lies above the highest seen number {highestSeen}.", nameof(missing));
            if (_missing.Count > 0 && range.From <= _missing[^1].To)
                throw new ArgumentException($"Missing range {range} overlaps another.", nameof(missing));
            AddMissing(range);
        }
    }

    public SequenceStreamKey Key { get; }

    /// <summary>The highest number seen or announced by a heartbeat (0: none yet).</summary>
    public long HighestSeen { get; private set; }

    /// <summary>The missing numbers as disjoint, ascending ranges.</summary>
    public IReadOnlyList<SequenceRange> MissingRanges => _missing;

    /// <summary>The missing numbers, ascending (enumerated lazily from <see cref="MissingRanges"/>).</summary>
    public IEnumerable<long> Missing => _missing.SelectMany(r => r.Numbers());

    public long MissingCount => _missing.Sum(r => r.Count);

    public bool IsMissing(long sequence) => _missing.Any(r => r.Contains(sequence));

    public SequenceObservation Observe(long sequence)
    {
        if (sequence < 1)
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "Sequence numbers start at 1.");
        if (sequence == HighestSeen + 1)
        {
            HighestSeen = sequence;
            return new(SequenceObservationKind.Next, sequence);
        }
        if (sequence > HighestSeen + 1)
        {
            var gap = new SequenceRange(HighestSeen + 1, sequence - 1);
            AddMissing(gap);
            HighestSeen = sequence;
            return new(SequenceObservationKind.GapOpened, sequence, gap);
        }
        var index = _missing.FindIndex(r => r.Contains(sequence));
        if (index < 0)
            return new(SequenceObservationKind.Duplicate, sequence);
        var range = _missing[index];
        _missing.RemoveAt(index);
        if (sequence < range.To)
            _missing.Insert(index, new SequenceRange(sequence + 1, range.To));
        if (sequence > range.From)
            _missing.Insert(index, new SequenceRange(range.From, sequence - 1));
        return new(SequenceObservationKind.GapFilled, sequence);
    }

    /// <summary>
    /// A heartbeat announced the last number sent on the link. Numbers above <see cref="HighestSeen"/> up to it are
    /// missing (a lost <i>last</i> message shows only this way) and <see cref="HighestSeen"/> moves up to it.
    /// </summary>
    public SequenceObservation ObserveHighWater(long lastSent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lastSent);
        if (lastSent < HighestSeen)
            return new(SequenceObservationKind.Regressed, lastSent);
        if (lastSent == HighestSeen)
            return new(SequenceObservationKind.UpToDate, lastSent);
        var gap = new SequenceRange(HighestSeen + 1, lastSent);
        AddMissing(gap);
        HighestSeen = lastSent;
        return new(SequenceObservationKind.GapOpened, lastSent, gap);
    }

    /// <summary>
    /// Adds a range above every missing one, joined to the last if they touch: after a heartbeat announced a number
    /// not yet seen, the next gap starts right above it. <see cref="SequenceObservation.NewlyMissing"/> still names
    /// only the new numbers.
    /// </summary>
    private void AddMissing(SequenceRange range)
    {
        if (_missing.Count > 0 && _missing[^1].To + 1 == range.From)
            _missing[^1] = new SequenceRange(_missing[^1].From, range.To);
        else
            _missing.Add(range);
    }
}
