using Microsoft.EntityFrameworkCore;

namespace LaunchNotify.Storage;

/// <summary>
/// A plain (unpooled) context factory over a store, for tools and tests that build a node's pieces without a DI
/// container. Not pooled on purpose: NodeDbContext adds the audit interceptor in OnConfiguring, which pooling forbids.
/// </summary>
public sealed class StoreContextFactory(StorageOptions store) : IDbContextFactory<NodeDbContext>
{
    private readonly DbContextOptions<NodeDbContext> _options = store.ToDbContextOptions();

    public NodeDbContext CreateDbContext() => new(_options);
}
