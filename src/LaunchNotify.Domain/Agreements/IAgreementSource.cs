using LaunchNotify.Domain.Values;

namespace LaunchNotify.Domain.Agreements;

/// <summary>The agreements this node knows, by id.</summary>
public interface IAgreementSource
{
    bool TryGet(AgreementId id, out Agreement agreement);
}
