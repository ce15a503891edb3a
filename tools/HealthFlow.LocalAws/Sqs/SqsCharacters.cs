namespace HealthFlow.LocalAws.Sqs;

/// <summary>
/// The characters SQS accepts in a body or attribute value, which are XML's: #x9 | #xA | #xD | #x20 to #xD7FF |
/// #xE000 to #xFFFD | #x10000 to #x10FFFF. Anything else could not be written into a query-protocol (XML) answer.
/// </summary>
internal static class SqsCharacters
{
    public const string Allowed = "Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF";

    public static bool AreValid(string text) => FirstInvalid(text) < 0;

    /// <summary><paramref name="text"/> with every character XML cannot hold replaced by U+FFFD, for error messages that echo input.</summary>
    public static string Printable(string text)
    {
        if (FirstInvalid(text) < 0)
            return text;
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (IsPair(chars, i))
                i++;
            else if (!IsValid(chars[i]))
                chars[i] = '\uFFFD';
        }

        return new string(chars);
    }

    private static int FirstInvalid(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (IsPair(text, i))
                i++;
            else if (!IsValid(text[i]))
                return i;
        }

        return -1;
    }

    private static bool IsValid(char c) => c is >= (char)0x20 and <= (char)0xD7FF or '\t' or '\n' or '\r' or >= (char)0xE000 and <= (char)0xFFFD;

    private static bool IsPair(ReadOnlySpan<char> text, int i) =>
        char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
}
