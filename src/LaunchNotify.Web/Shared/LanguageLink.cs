namespace LaunchNotify.Web.Shared;

/// <summary>One entry of a page's language switch: the language's code, its name in itself, the page's address in it.</summary>
public sealed record LanguageLink(string Code, string Name, string Href, bool Current);
