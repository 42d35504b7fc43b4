namespace LaunchNotify.Domain.Messages;

/// <summary>Missile classes named by the agreements. <see cref="Ballistic"/> is the HCoC's generic class.</summary>
public enum MissileClass
{
    ICBM,
    SLBM,
    IRBM,
    MRBM,
    SRBM,
    /// <summary>Space launch vehicle.</summary>
    SLV,
    /// <summary>A ballistic missile notified by generic class only (Hague Code of Conduct).</summary>
    Ballistic,
    /// <summary>
    /// A sounding rocket: a suborbital research rocket (the Black Brant of 1995). Not a ballistic missile under any
    /// agreement; notified voluntarily.
    /// </summary>
    SoundingRocket,
}
