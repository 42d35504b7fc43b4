namespace LaunchNotify.Presentation;

/// <summary>
/// The controlled vocabulary: every coded value and label a person reads, in each <see cref="Language"/>. Keys are
/// language-free (<c>alarmKind.LATE_NOTIFICATION</c>, <c>report.title</c>); texts are .NET composite formats whose
/// <c>{0}</c>, <c>{1}</c> take the arguments, formatted with the language's culture.
/// </summary>
public interface IGlossary
{
    /// <summary>Every key (the English file's; every other language has exactly the same).</summary>
    IReadOnlyCollection<string> Keys { get; }

    /// <summary>The text of <paramref name="key"/> in <paramref name="language"/>; a key the glossary lacks is a fault of the program.</summary>
    /// <exception cref="KeyNotFoundException">No such key: add it to every file in src/LaunchNotify.Presentation/Glossary.</exception>
    string Text(string key, Language language, params object?[] args);

    /// <summary>The text, or false where the key is not in the glossary (a code from outside, e.g. a newer counterpart's).</summary>
    bool TryText(string key, Language language, out string text, params object?[] args);
}
