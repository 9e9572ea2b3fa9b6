# cap.zsh FUNCDIR LINE: type LINE and a TAB into an interactive zsh on a pty
# (compinit, FUNCDIR first in fpath) and print what it shows after the TAB.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -U compinit; compinit -u"
zpty -w z "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' format '' "
zpty -w z 'print "[#""#READY]"'
out=
for i in {1..400}; do
	if zpty -r -t z line; then out+=$line; [[ $out == *'[##READY]'* ]] && break; else sleep 0.025; fi
done
zpty -n -w z "$2"$'\t'
# keys are handled in order: once the line is cleared (^U) and a marker
# printed, whatever the TAB drew is on the pty before it
zpty -n -w z $'\x15'
zpty -w z 'print "[#""#DONE]"'
out=
for i in {1..400}; do
	if zpty -r -t z line; then out+=$line; [[ $out == *'[##DONE]'* ]] && break; else sleep 0.025; fi
done
out=${out%%\[\#\#DONE\]*}
print -r -- ${out//$'\r'/} | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'
zpty -d z
