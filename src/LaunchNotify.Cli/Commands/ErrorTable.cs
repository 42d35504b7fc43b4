using LaunchNotify.Domain.Validation;
using LaunchNotify.Presentation;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// Prints validation errors the same way everywhere: code, rule, path, and the sentence in the reader's language
/// (<see cref="Rendering.Sentence"/>: the rule's sentence with its figures where the error carries them). Headings and
/// the title come from the glossary (<c>cli.errors.*</c>).
/// </summary>
public static class ErrorTable
{
    /// <summary>The titles of the tables: <c>cli.errors.title.{name}</c>.</summary>
    public const string Errors = "errors", Warnings = "warnings", Findings = "findings", FindingsNoted = "findingsNoted";

    public static void Write(IAnsiConsole console, string title, IReadOnlyList<ValidationError> errors, Color color, Rendering? rendering = null)
    {
        if (errors.Count == 0)
            return;
        var r = rendering ?? Rendering.EnglishUtc;
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(r.Text($"cli.errors.title.{title}"))}[/]")
            .AddColumn(r.Text("cli.errors.col.code")).AddColumn(r.Text("cli.errors.col.rule"))
            .AddColumn(r.Text("cli.errors.col.path")).AddColumn(r.Text("cli.errors.col.message"));
        foreach (var e in errors)
            table.AddRow(new Markup($"[{color.ToMarkup()}]{Markup.Escape(e.Code)}[/]"), new Text(e.Rule), new Text(e.Path.Length == 0 ? "/" : e.Path), new Text(r.Sentence(e)));
        console.Write(table);
    }
}
