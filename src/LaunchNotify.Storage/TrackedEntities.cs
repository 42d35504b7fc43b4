using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace LaunchNotify.Storage;

/// <summary>
/// A look at what a unit of work tracks without EF Core's change detection, which otherwise runs over every tracked
/// entity at each look (<c>Entries</c>, <c>Local</c>) and again at the save. Only for what needs no detection: an
/// entity's state as Added (known when it was added), its key, and values set before it was added.
/// </summary>
public static class TrackedEntities
{
    /// <summary>The tracked entities of <typeparamref name="T"/> that are not being deleted, with the states EF Core last recorded.</summary>
    public static List<EntityEntry<T>> WithoutDetecting<T>(this ChangeTracker tracker) where T : class =>
        Undetected(tracker, t => t.Entries<T>().Where(e => e.State != EntityState.Deleted).ToList());

    /// <summary>Every tracked entity, with the states EF Core last recorded, given one by one to <paramref name="look"/>.</summary>
    public static void EachWithoutDetecting(this ChangeTracker tracker, Action<EntityEntry> look) =>
        Undetected(tracker, t =>
        {
            foreach (var entry in t.Entries())
                look(entry);
            return true;
        });

    private static TResult Undetected<TResult>(ChangeTracker tracker, Func<ChangeTracker, TResult> look)
    {
        var detecting = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            return look(tracker);
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detecting;
        }
    }
}
