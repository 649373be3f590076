package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// commandSpec is one veil command as a completion script offers it.
type commandSpec struct {
	name, help string
	flags      []commandFlag
}

// commandFlag is one flag of a command.
type commandFlag struct {
	// name is the flag's name without dashes.
	name string
	// arg names the flag's value ("file", "string"), "" for a switch.
	arg string
	// help is the first line of the flag's usage.
	help string
}

// dashed returns the flag as written on a command line: --name, or -H for
// a one-letter name.
func (f commandFlag) dashed() string {
	if len(f.name) == 1 {
		return "-" + f.name
	}
	return "--" + f.name
}

// takesPath reports whether the flag's value is a file or directory name.
func (f commandFlag) takesPath() bool {
	return slices.Contains([]string{"file", "module", "directory", "FILE", "DIR"}, f.arg)
}

// completionShells are the shells veil completion writes a script for.
var completionShells = []string{"bash", "zsh", "fish"}

func completionCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("completion", "completion bash|zsh|fish\n\nPrints a script completing veil's commands and each command's flags:\n"+
		"  bash: source <(veil completion bash)       (or save it in /etc/bash_completion.d/veil)\n"+
		"  zsh:  veil completion zsh > \"${fpath[1]}/_veil\"  (or source <(veil completion zsh) after compinit)\n"+
		"  fish: veil completion fish > ~/.config/fish/completions/veil.fish", stderr)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 || !slices.Contains(completionShells, fs.Arg(0)) {
		return fail(2, "want one shell: bash, zsh or fish")
	}
	cmds, err := commandSpecs(ctx)
	if err != nil {
		return err
	}
	switch fs.Arg(0) {
	case "bash":
		bashCompletion(stdout, cmds)
	case "zsh":
		zshCompletion(stdout, cmds)
	default:
		fishCompletion(stdout, cmds)
	}
	return nil
}

// commandSpecs lists veil's commands, as the usage text lists them, each
// with the flags its --help prints: the flags of its real FlagSet.
func commandSpecs(ctx context.Context) ([]commandSpec, error) {
	var cmds []commandSpec
	_, list, _ := strings.Cut(usage, "\ncommands:\n")
	list, _, _ = strings.Cut(list, "\n\n")
	for line := range strings.Lines(list) {
		name, help, _ := strings.Cut(strings.TrimSpace(line), " ")
		var out, errOut bytes.Buffer
		if code := veil(ctx, []string{name, "--help"}, strings.NewReader(""), &out, &errOut); code != 0 {
			return nil, fmt.Errorf("veil %s --help: exit %d: %s", name, code, errOut.String())
		}
		cmds = append(cmds, commandSpec{name: name, help: strings.TrimSpace(help), flags: parseFlagHelp(out.String())})
	}
	if len(cmds) == 0 {
		return nil, fmt.Errorf("no commands in the usage text")
	}
	return cmds, nil
}

// parseFlagHelp reads the flags from a command's --help: the lines the
// flag package's PrintDefaults writes after "flags:", "  -name arg" (or
// "  -x\tusage") followed by the usage, each line indented by a tab.
func parseFlagHelp(help string) []commandFlag {
	_, defaults, ok := strings.Cut(help, "\nflags:\n")
	if !ok {
		return nil
	}
	var flags []commandFlag
	for line := range strings.Lines(defaults) {
		line = strings.TrimRight(line, "\n")
		if rest, ok := strings.CutPrefix(line, "  -"); ok {
			head, usage, _ := strings.Cut(rest, "\t")
			name, arg, _ := strings.Cut(head, " ")
			flags = append(flags, commandFlag{name: name, arg: strings.TrimSpace(arg), help: strings.TrimSpace(usage)})
			continue
		}
		if text, ok := strings.CutPrefix(line, "    \t"); ok && len(flags) > 0 && flags[len(flags)-1].help == "" {
			flags[len(flags)-1].help = strings.TrimSpace(text)
		}
	}
	return flags
}

// takesFiles reports whether a command's arguments are file names.
func (c commandSpec) takesFiles() bool { return c.name != "version" && c.name != "completion" }

// bashCompletion writes a bash completion script: commands, each
// command's flags after a -, file names otherwise (complete -o default).
func bashCompletion(w io.Writer, cmds []commandSpec) {
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	fmt.Fprintf(w, `# bash completion for veil, written by 'veil completion bash'.
# Load it with: source <(veil completion bash)
_veil() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} flags=""
    COMPREPLY=()
    if [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W "help %s" -- "$cur"))
        return
    fi
    case ${COMP_WORDS[1]} in
`, strings.Join(names, " "))
	for _, c := range cmds {
		var flags, paths, values []string
		for _, f := range c.flags {
			flags = append(flags, f.dashed())
			switch {
			case f.takesPath():
				paths = append(paths, f.dashed())
			case f.arg != "":
				values = append(values, f.dashed())
			}
		}
		fmt.Fprintf(w, "        %s)\n            flags=%q\n", c.name, strings.Join(flags, " "))
		if len(values) > 0 {
			// a value that is not a file name: nothing to offer
			fmt.Fprintf(w, "            case $prev in %s) return ;; esac\n", strings.Join(values, "|"))
		}
		if c.name == "completion" {
			fmt.Fprintf(w, "            [[ $cur != -* ]] && COMPREPLY=($(compgen -W %q -- \"$cur\")) && return\n", strings.Join(completionShells, " "))
		}
		fmt.Fprintf(w, "            ;;\n")
	}
	fmt.Fprint(w, `    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    fi
}
complete -o default -o bashdefault -F _veil veil
`)
}

// zshEscape escapes s for a description inside single quotes in an
// _arguments spec or a _describe item.
func zshEscape(s string) string {
	s = strings.NewReplacer(`'`, `'\''`, `[`, `\[`, `]`, `\]`, `:`, `\:`).Replace(s)
	return s
}

// zshCompletion writes a zsh completion function (#compdef veil).
func zshCompletion(w io.Writer, cmds []commandSpec) {
	fmt.Fprint(w, `#compdef veil
# zsh completion for veil, written by 'veil completion zsh'. Save it as _veil
# in a directory of $fpath, or source it after compinit.
_veil() {
    local -a commands
    commands=(
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "        '%s:%s'\n", c.name, zshEscape(c.help))
	}
	fmt.Fprint(w, `    )
    if (( CURRENT == 2 )); then
        _describe -t commands 'veil command' commands
        return
    fi
    local cmd=${words[2]}
    shift words
    (( CURRENT-- ))
    case $cmd in
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "        %s)\n            _arguments -s", c.name)
		for _, f := range c.flags {
			spec := fmt.Sprintf("*%s[%s]", f.dashed(), zshEscape(f.help))
			switch {
			case f.arg == "directory" || f.arg == "DIR":
				spec = fmt.Sprintf("*%s=[%s]:%s:_files -/", f.dashed(), zshEscape(f.help), zshEscape(f.arg))
			case f.takesPath():
				spec = fmt.Sprintf("*%s=[%s]:%s:_files", f.dashed(), zshEscape(f.help), zshEscape(f.arg))
			case f.arg != "":
				spec = fmt.Sprintf("*%s=[%s]:%s: ", f.dashed(), zshEscape(f.help), zshEscape(f.arg))
			}
			fmt.Fprintf(w, " \\\n                '%s'", spec)
		}
		switch {
		case c.name == "completion":
			fmt.Fprintf(w, " \\\n                '1:shell:(%s)'", strings.Join(completionShells, " "))
		case c.takesFiles():
			fmt.Fprint(w, " \\\n                '*:file:_files'")
		}
		fmt.Fprint(w, "\n            ;;\n")
	}
	fmt.Fprint(w, `    esac
}
if [[ $funcstack[1] == _veil ]]; then
    _veil "$@"
else
    compdef _veil veil
fi
`)
}

// fishEscape quotes s as a fish single-quoted string.
func fishEscape(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// fishCompletion writes fish completions: commands where none is given yet,
// then each command's flags.
func fishCompletion(w io.Writer, cmds []commandSpec) {
	fmt.Fprint(w, "# fish completion for veil, written by 'veil completion fish'.\n"+
		"# Save it as ~/.config/fish/completions/veil.fish\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c veil -n __fish_use_subcommand -f -a %s -d %s\n", c.name, fishEscape(c.help))
	}
	for _, c := range cmds {
		cond := fishEscape("__fish_seen_subcommand_from " + c.name)
		for _, f := range c.flags {
			opt := "-l " + f.name
			if len(f.name) == 1 {
				opt = "-s " + f.name
			}
			arg := ""
			switch {
			case f.takesPath():
				arg = " -r -F"
			case f.arg != "":
				arg = " -x"
			}
			fmt.Fprintf(w, "complete -c veil -n %s %s%s -d %s\n", cond, opt, arg, fishEscape(f.help))
		}
		switch {
		case c.name == "completion":
			fmt.Fprintf(w, "complete -c veil -n %s -f -a %s\n", cond, fishEscape(strings.Join(completionShells, " ")))
		case !c.takesFiles():
			fmt.Fprintf(w, "complete -c veil -n %s -f\n", cond)
		}
	}
}
