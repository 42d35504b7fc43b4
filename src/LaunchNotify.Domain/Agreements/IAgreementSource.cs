using LaunchNotify.Domain.Values;

namespace LaunchNotify.Domain.Agreements;

/// <summary>The agreements this node knows, by id.</summary>
public interface IAgreementSource
{
    bool TryGet(AgreementId id, out Agreement agreement);

    /// <summary>Every agreement known, e.g. to find the links a centre keeps heartbeats on.</summary>
    IReadOnlyList<Agreement> All { get; }
}
