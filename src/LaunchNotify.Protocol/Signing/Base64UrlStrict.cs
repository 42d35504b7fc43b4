using System.Buffers.Text;

namespace LaunchNotify.Protocol.Signing;

/// <summary>
/// Base64url without padding (RFC 7515 §2), decoded strictly: only the url-safe alphabet, no padding, no white
/// space, and canonical trailing bits, so one byte sequence has exactly one accepted text.
/// </summary>
internal static class Base64UrlStrict
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length % 4 == 1)
            return false;
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                return false;
        }
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }
        // Non-zero unused bits in the last character decode to the same bytes; re-encoding exposes them.
        return Encode(bytes) == text;
    }
}
