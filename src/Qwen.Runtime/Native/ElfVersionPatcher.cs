using System.Buffers.Binary;
using System.Text;

namespace Qwen.Runtime;

/// <summary>
/// Marks a needed symbol version of an ELF64 shared library as weak, so the dynamic loader accepts the library
/// on a system whose C++ runtime lacks that version (see <see cref="TorchNative"/> for why).
/// </summary>
internal static class ElfVersionPatcher
{
    private const uint ShtDynSym = 11;
    private const uint ShtGnuVerNeed = 0x6ffffffe;
    private const uint ShtGnuVerSym = 0x6fffffff;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>One needed version entry of a library.</summary>
    internal sealed record NeededVersion(string Library, string Version, bool IsWeak, IReadOnlyList<string> Symbols, long FlagsOffset);

    /// <summary>Lists the versions a library needs from others, with the dynamic symbols bound to each.</summary>
    /// <exception cref="InvalidDataException">The file is not a little-endian ELF64 library with version sections.</exception>
    public static IReadOnlyList<NeededVersion> ReadNeededVersions(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("Not an ELF file.");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("Only little-endian ELF64 files are supported.");
        }

        var sectionOffset = checked((int)ReadU64(elf, 0x28));
        int sectionSize = ReadU16(elf, 0x3A);
        int sectionCount = ReadU16(elf, 0x3C);
        var sections = new (uint Type, long Offset, long Size, uint Link, uint Info)[sectionCount];
        for (var i = 0; i < sectionCount; i++)
        {
            var s = sectionOffset + (i * sectionSize);
            sections[i] = (ReadU32(elf, s + 4), (long)ReadU64(elf, s + 0x18), (long)ReadU64(elf, s + 0x20), ReadU32(elf, s + 0x28), ReadU32(elf, s + 0x2C));
        }

        var verNeed = Array.FindIndex(sections, s => s.Type == ShtGnuVerNeed);
        if (verNeed < 0)
        {
            return [];
        }

        // Map version index -> symbol names through .gnu.version (one ushort per .dynsym entry).
        var symbolsByVersion = new Dictionary<int, List<string>>();
        var dynSym = Array.FindIndex(sections, s => s.Type == ShtDynSym);
        var verSym = Array.FindIndex(sections, s => s.Type == ShtGnuVerSym);
        if (dynSym >= 0 && verSym >= 0)
        {
            var strings = sections[sections[dynSym].Link].Offset;
            var count = sections[dynSym].Size / 24;
            for (long i = 0; i < count; i++)
            {
                int version = (ushort)(ReadU16(elf, checked((int)(sections[verSym].Offset + (i * 2)))) & 0x7fff);
                var name = ReadString(elf, strings + ReadU32(elf, checked((int)(sections[dynSym].Offset + (i * 24)))));
                if (!symbolsByVersion.TryGetValue(version, out var list))
                {
                    symbolsByVersion[version] = list = [];
                }

                list.Add(name);
            }
        }

        var result = new List<NeededVersion>();
        var dynStr = sections[sections[verNeed].Link].Offset;
        var entry = sections[verNeed].Offset;
        for (var n = 0; n < sections[verNeed].Info; n++)
        {
            var e = checked((int)entry);
            var library = ReadString(elf, dynStr + ReadU32(elf, e + 4));
            var aux = entry + ReadU32(elf, e + 8);
            for (var a = 0; a < ReadU16(elf, e + 2); a++)
            {
                var x = checked((int)aux);
                var flags = ReadU16(elf, x + 4);
                int index = ReadU16(elf, x + 6);
                var version = ReadString(elf, dynStr + ReadU32(elf, x + 8));
                result.Add(new NeededVersion(library, version, (flags & VerFlgWeak) != 0,
                    symbolsByVersion.TryGetValue(index, out var symbols) ? symbols : [], x + 4));
                aux += ReadU32(elf, x + 12);
            }

            entry += ReadU32(elf, e + 12);
        }

        return result;
    }

    /// <summary>Sets the weak flag on one needed version, in place in <paramref name="elf"/>.</summary>
    public static void MarkWeak(byte[] elf, NeededVersion version)
    {
        var flags = (ushort)(ReadU16(elf, checked((int)version.FlagsOffset)) | VerFlgWeak);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(checked((int)version.FlagsOffset)), flags);
    }

    private static ushort ReadU16(byte[] b, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(offset));

    private static uint ReadU32(byte[] b, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(offset));

    private static ulong ReadU64(byte[] b, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(offset));

    private static string ReadString(byte[] b, long offset)
    {
        var start = checked((int)offset);
        var end = Array.IndexOf(b, (byte)0, start);
        return Encoding.ASCII.GetString(b, start, (end < 0 ? b.Length : end) - start);
    }
}
