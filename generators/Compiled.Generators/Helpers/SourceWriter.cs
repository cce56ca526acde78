using System;
using System.Text;

namespace Compiled.Generators.Helpers
{
    /// <summary>Builds source text line by line, keeping track of indentation.</summary>
    internal sealed class SourceWriter
    {
        private const string IndentUnit = "    ";
        private readonly StringBuilder _text = new();
        private int _indent;

        /// <summary>Writes one line at the current indentation (an empty line has no trailing spaces).</summary>
        public SourceWriter Line(string line = "")
        {
            if (line.Length > 0)
            {
                for (int i = 0; i < _indent; i++)
                {
                    _text.Append(IndentUnit);
                }

                _text.Append(line);
            }

            _text.Append('\n');
            return this;
        }

        /// <summary>Writes several lines (a raw string), each at the current indentation.</summary>
        public SourceWriter Lines(string lines)
        {
            foreach (string line in lines.Replace("\r\n", "\n").Split('\n'))
            {
                Line(line.TrimEnd());
            }

            return this;
        }

        /// <summary>Writes <c>{</c> and indents.</summary>
        public SourceWriter Open(string? header = null)
        {
            if (header is not null)
            {
                Line(header);
            }

            Line("{");
            _indent++;
            return this;
        }

        /// <summary>Outdents and writes <c>}</c> (with an optional suffix such as <c>;</c>).</summary>
        public SourceWriter Close(string suffix = "")
        {
            if (_indent == 0)
            {
                throw new InvalidOperationException("Close without Open.");
            }

            _indent--;
            return Line("}" + suffix);
        }

        public override string ToString() => _text.ToString();
    }
}
