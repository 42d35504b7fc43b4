using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LaunchNotify.Web.Shared;

/// <summary>
/// Renders a component to an HTML string with the framework's <see cref="HtmlRenderer"/> (and its encoding): the
/// CLI's report file, and the fragments the duty page's live updates carry.
/// </summary>
public static class ComponentHtml
{
    private static readonly IServiceProvider NoServices = new ServiceCollection().AddPageEncoding().BuildServiceProvider();

    /// <param name="services">Where the renderer finds its encoder (<see cref="PageEncoding"/>) and logging; none: the default encoding.</param>
    public static async Task<string> RenderAsync<TComponent>(IReadOnlyDictionary<string, object?> parameters, IServiceProvider? services = null)
        where TComponent : IComponent
    {
        services ??= NoServices;
        await using var renderer = new HtmlRenderer(services, services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters.ToDictionary()));
            return output.ToHtmlString();
        });
    }
}
