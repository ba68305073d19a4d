// The time slider: a range of years whose right end (its `max`) is "all time". For that
// position the input's `value` reads "", and setting its value to "" moves it there, so that
// its value is always "" or a year; arrow keys, Home and End work as on any range input.

export function createTimeSlider(input, label, onChange) {
  const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
  Object.defineProperty(input, 'value', {
    configurable: true,
    get() {
      const value = native.get.call(this);
      return value === this.max ? '' : value;
    },
    set(value) {
      native.set.call(this, value === '' || value === null || value === undefined ? this.max : value);
    },
  });

  // The year shown, as a string, or null for all time.
  function year() {
    const value = input.value;
    return value === '' || Number(value) >= Number(input.max) ? null : String(Number(value));
  }

  function show() {
    const text = year() === null ? 'All time' : year();
    label.textContent = text;
    input.setAttribute('aria-valuetext', text);
  }

  let last = year();
  function moved() {
    show();
    if (year() !== last) {
      last = year();
      onChange(last);
    }
  }
  input.addEventListener('input', moved);
  input.addEventListener('change', moved);

  return {
    // `min` to `max - 1` are years; `max` is all time.
    setRange(min, max) {
      input.min = String(min);
      input.max = String(max);
      input.step = '1';
    },
    // Moves the slider without telling `onChange`.
    set(value) {
      input.value = value || '';
      last = year();
      show();
    },
  };
}
