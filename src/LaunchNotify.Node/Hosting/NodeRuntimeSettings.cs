namespace LaunchNotify.Node.Hosting;

/// <summary>
/// Runtime settings for a node process that only the environment can carry (the GC reads them before any code runs,
/// and .NET 10 honours no runtimeconfig name for them). Whoever starts a node (the demo, the benchmark, a container
/// image) applies them; an operator's own value in the environment wins.
/// </summary>
public static class NodeRuntimeSettings
{
    /// <summary>
    /// The smallest gen0 allocation budget, 4 MiB. The GC sizes gen0 from the largest CPU cache, and virtual machines
    /// report very large ones (300 MiB here): a node then let ~100 MB of garbage pile up between collections, which was
    /// most of its RSS above the target (docs/performance.md, "Memory: the gen0 budget").
    /// </summary>
    public const string Gen0SizeVariable = "DOTNET_GCgen0size";
    public const string Gen0Size = "0x400000";

    /// <summary>Adds the settings to a child's environment unless they are already there.</summary>
    public static void ApplyTo(IDictionary<string, string?> environment)
    {
        if (!environment.TryGetValue(Gen0SizeVariable, out var existing) || string.IsNullOrEmpty(existing))
            environment[Gen0SizeVariable] = Gen0Size;
    }
}
