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
    public static List<EntityEntry<T>> WithoutDetecting<T>(this ChangeTracker tracker) where T : class
    {
        var detecting = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            return tracker.Entries<T>().Where(e => e.State != EntityState.Deleted).ToList();
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detecting;
        }
    }
}
