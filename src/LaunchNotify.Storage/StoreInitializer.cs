namespace LaunchNotify.Storage;

/// <summary>
/// Makes a store ready for this build: creates it, or upgrades it with the migrations (baselining a store made before
/// migrations existed), refusing a store newer than the build. The publisher and subscriber may race to do it.
/// </summary>
public static class StoreInitializer
{
    /// <summary>Kept under its old name for the many callers (tests, tools) that want "a store at this build's schema".</summary>
    public static Task<StoreSchemaStatus> EnsureCreatedAsync(StorageOptions options, CancellationToken ct = default) =>
        StoreMigrator.MigrateAsync(options, ct);
}
