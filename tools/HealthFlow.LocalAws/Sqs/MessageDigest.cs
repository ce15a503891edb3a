using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace HealthFlow.LocalAws.Sqs;

/// <summary>
/// The MD5 digests SQS returns and the SDK verifies. The attributes digest is taken over a binary
/// encoding (per attribute, sorted by name): length-prefixed name, length-prefixed data type, a
/// transport byte (1 = string value, 2 = binary value), length-prefixed value; lengths are 4-byte
/// big-endian.
/// </summary>
internal static class MessageDigest
{
    private const byte StringTransport = 1;
    private const byte BinaryTransport = 2;

    public static string OfBody(string body)
    {
        int max = Encoding.UTF8.GetMaxByteCount(body.Length);
        byte[]? rented = max > 1024 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        try
        {
            int written = Encoding.UTF8.GetBytes(body, buffer);
            return Hex(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The digest of <paramref name="attributes"/>, or null when there are none (AWS omits it).</summary>
    public static string? OfAttributes(IReadOnlyDictionary<string, MessageAttributeValue>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
            return null;

        var buffer = new ArrayBufferWriter<byte>(256);
        foreach (var name in attributes.Keys.Order(StringComparer.Ordinal))
        {
            var value = attributes[name];
            WriteString(buffer, name);
            WriteString(buffer, value.DataType!);
            if (value.BinaryValue is { } binary)
            {
                WriteByte(buffer, BinaryTransport);
                WriteBytes(buffer, binary);
            }
            else
            {
                WriteByte(buffer, StringTransport);
                WriteString(buffer, value.StringValue ?? string.Empty);
            }
        }

        return Hex(buffer.WrittenSpan);
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        BinaryPrimitives.WriteInt32BigEndian(buffer.GetSpan(4), length);
        buffer.Advance(4);
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(length));
        buffer.Advance(length);
    }

    private static void WriteBytes(ArrayBufferWriter<byte> buffer, byte[] value)
    {
        BinaryPrimitives.WriteInt32BigEndian(buffer.GetSpan(4), value.Length);
        buffer.Advance(4);
        buffer.Write(value);
    }

    private static void WriteByte(ArrayBufferWriter<byte> buffer, byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    private static string Hex(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[MD5.HashSizeInBytes];
        MD5.HashData(data, hash);
        return Convert.ToHexStringLower(hash);
    }
}
