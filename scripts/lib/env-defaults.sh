# Sourced by setup.sh. Reads KEY=VALUE lines of an env file into the environment, except keys the environment
# already has: the environment wins over .env everywhere (the backend's dotenv does the same).
load_env_defaults() {
  local file=$1 line key val
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    case "$line" in '' | '#'*) continue ;; esac
    line=${line#export }
    key=${line%%=*}
    [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    [ -n "${!key+x}" ] && continue
    val=${line#*=}
    # One pair of surrounding quotes is not part of the value.
    if [[ "$val" =~ ^\"(.*)\"$ || "$val" =~ ^\'(.*)\'$ ]]; then val=${BASH_REMATCH[1]}; fi
    export "$key=$val"
  done <"$file"
}
