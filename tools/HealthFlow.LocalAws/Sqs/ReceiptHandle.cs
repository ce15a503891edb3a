using System.Buffers.Binary;
using System.Buffers.Text;

namespace HealthFlow.LocalAws.Sqs;

/// <summary>A receipt handle names one receive of one message: the message id and the receive generation.</summary>
internal static class ReceiptHandle
{
    private const int Size = 20;

    public static string Create(Guid messageId, int generation)
    {
        Span<byte> bytes = stackalloc byte[Size];
        messageId.TryWriteBytes(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes[16..], generation);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryParse(string? handle, out Guid messageId, out int generation)
    {
        messageId = default;
        generation = 0;
        if (string.IsNullOrEmpty(handle) || handle.Length > 64)
            return false;
        Span<byte> bytes = stackalloc byte[48];
        if (!Base64Url.TryDecodeFromChars(handle, bytes, out int written) || written != Size)
            return false;
        messageId = new Guid(bytes[..16]);
        generation = BinaryPrimitives.ReadInt32BigEndian(bytes[16..Size]);
        return true;
    }
}
