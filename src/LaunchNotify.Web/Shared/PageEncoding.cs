using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.Extensions.DependencyInjection;

namespace LaunchNotify.Web.Shared;

/// <summary>
/// The framework's HTML encoder, told that every Unicode range is safe text: markup characters are still encoded,
/// but "–", "→" and Chinese or Russian labels stay readable characters in the page instead of numeric references.
/// </summary>
public static class PageEncoding
{
    public static IServiceCollection AddPageEncoding(this IServiceCollection services) =>
        services.AddWebEncoders(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
}
