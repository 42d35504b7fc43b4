using LaunchNotify.Domain.Validation;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>Prints validation errors the same way everywhere: code, rule, path, message.</summary>
public static class ErrorTable
{
    public static void Write(IAnsiConsole console, string title, IReadOnlyList<ValidationError> errors, Color color)
    {
        if (errors.Count == 0)
            return;
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(title)}[/]")
            .AddColumn("code").AddColumn("rule").AddColumn("path").AddColumn("message");
        foreach (var e in errors)
            table.AddRow(new Markup($"[{color.ToMarkup()}]{Markup.Escape(e.Code)}[/]"), new Text(e.Rule), new Text(e.Path.Length == 0 ? "/" : e.Path), new Text(e.Message));
        console.Write(table);
    }
}
