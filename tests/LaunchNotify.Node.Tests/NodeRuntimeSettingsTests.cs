using LaunchNotify.Node.Hosting;

namespace LaunchNotify.Node.Tests;

public sealed class NodeRuntimeSettingsTests
{
    [Fact]
    public void ApplyTo_AddsTheGen0Budget_WhenTheEnvironmentHasNone()
    {
        var environment = new Dictionary<string, string?> { ["PATH"] = "/usr/bin" };
        NodeRuntimeSettings.ApplyTo(environment);
        Assert.Equal("0x400000", environment["DOTNET_GCgen0size"]);
        Assert.Equal("/usr/bin", environment["PATH"]);
    }

    [Theory]
    [InlineData("0x1000000")]
    [InlineData("0x200000")]
    public void ApplyTo_KeepsAnOperatorsOwnValue(string value)
    {
        var environment = new Dictionary<string, string?> { ["DOTNET_GCgen0size"] = value };
        NodeRuntimeSettings.ApplyTo(environment);
        Assert.Equal(value, environment["DOTNET_GCgen0size"]);
    }

    [Fact]
    public void ApplyTo_FillsAnEmptyValue()
    {
        var environment = new Dictionary<string, string?> { ["DOTNET_GCgen0size"] = "" };
        NodeRuntimeSettings.ApplyTo(environment);
        Assert.Equal("0x400000", environment["DOTNET_GCgen0size"]);
    }
}
