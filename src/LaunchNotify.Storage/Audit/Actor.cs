namespace LaunchNotify.Storage.Audit;

/// <summary>
/// Who acted: the authenticated principal of the request (subject, name and roles from the token), recorded with
/// submissions, alarm actions and the audit entries they write. Never a name the caller typed.
/// </summary>
public sealed record Actor
{
    public const int MaxLength = 200;

    public Actor(string subject, string name, IEnumerable<string> roles)
    {
        if (string.IsNullOrWhiteSpace(subject) || subject.Length > MaxLength)
            throw new ArgumentException($"An actor's subject is 1-{MaxLength} characters.", nameof(subject));
        Subject = subject;
        Name = string.IsNullOrWhiteSpace(name) ? subject : name.Length > MaxLength ? name[..MaxLength] : name;
        Roles = roles.Where(r => !string.IsNullOrWhiteSpace(r) && !r.Contains(',')).Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The token's <c>sub</c>: stable across renames.</summary>
    public string Subject { get; }

    /// <summary>The token's <c>name</c> (the account's user name), for people reading the record.</summary>
    public string Name { get; }

    public IReadOnlyList<string> Roles { get; }

    public override string ToString() => $"{Name} ({Subject}; {string.Join(", ", Roles)})";
}
